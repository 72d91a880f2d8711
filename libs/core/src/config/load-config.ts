import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, YAMLParseError } from 'yaml';
import { ConfigError } from '../errors';
import { deepMerge, isPlain, type Plain } from './merge';
import { applyOverrides } from './overrides';

/** How many `_base_` levels a config may stack: file → base → base of base → one more. */
export const MAX_BASE_DEPTH = 3;

export interface LoadedConfig {
  /** The merged configuration, overrides applied, `_base_` keys removed. */
  config: Plain;
  /** Every file that contributed, base-most first. */
  files: string[];
}

/** Reads a YAML experiment file with its `_base_` chain and applies `--set` overrides. Validates nothing. */
export function loadConfig(file: string, overrides: readonly string[] = []): LoadedConfig {
  const files: string[] = [];
  const merged = loadWithBases(path.resolve(file), [], files);
  return { config: applyOverrides(merged, overrides), files };
}

function loadWithBases(file: string, chain: string[], files: string[]): Plain {
  if (chain.includes(file)) {
    const cycle = [...chain.slice(chain.indexOf(file)), file].map((f) => path.relative(process.cwd(), f) || f);
    throw new ConfigError([{ path: '_base_', message: `inheritance cycle: ${cycle.join(' → ')}` }], chain[chain.length - 1]);
  }
  if (chain.length > MAX_BASE_DEPTH) {
    throw new ConfigError(
      [{ path: '_base_', message: `inheritance deeper than ${MAX_BASE_DEPTH} levels: ${[...chain, file].join(' → ')}` }],
      chain[0],
    );
  }
  const own = readYaml(file, chain[chain.length - 1]);
  const baseRef = own['_base_'];
  delete own['_base_'];
  const bases = baseRef === undefined ? [] : Array.isArray(baseRef) ? baseRef : [baseRef];
  let merged: Plain = {};
  for (const base of bases) {
    if (typeof base !== 'string' || base.length === 0) {
      throw new ConfigError([{ path: '_base_', message: `expected a relative file path, got ${JSON.stringify(base)}` }], file);
    }
    if (path.isAbsolute(base)) {
      throw new ConfigError([{ path: '_base_', message: `"${base}" must be relative to the file that names it` }], file);
    }
    merged = deepMerge(merged, loadWithBases(path.resolve(path.dirname(file), base), [...chain, file], files));
  }
  files.push(file);
  return deepMerge(merged, own);
}

function readYaml(file: string, namedBy: string | undefined): Plain {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message;
    throw new ConfigError([{ path: namedBy ? '_base_' : '', message: `${file}: ${why}` }], namedBy);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` (line ${e.linePos[0].line})` : '';
    throw new ConfigError([{ path: '', message: `not valid YAML${where}: ${(e as Error).message.split('\n')[0]}` }], file);
  }
  if (doc === null || doc === undefined) return {};
  if (!isPlain(doc)) throw new ConfigError([{ path: '', message: 'the top level must be a mapping' }], file);
  return doc;
}
