import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { ConfigError, configHash, loadConfig, validateOptions, type Plain } from '@zls/core';
import { AblationSchema } from './ablation-schema';

export interface PlannedRun {
  method: string;
  seed: number;
  configFile: string;
  overrides: string[];
  config: Plain;
  /** Hash of the resolved config: the run folder's key, so a finished run is found again and skipped. */
  hash: string;
  /** Folder of the run, relative to the ablation's output root. */
  folder: string;
}

/** Reads an ablation file and resolves every (method, seed) into a concrete, hashed experiment config. */
export function expandAblation(file: string): { ablation: AblationSchema; runs: PlannedRun[] } {
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError([{ path: '', message: (e as Error).message.split('\n')[0] }], file);
  }
  let ablation: AblationSchema;
  try {
    ablation = validateOptions(AblationSchema, (doc ?? {}) as Record<string, unknown>, '');
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(e.issues, file);
    throw e;
  }
  const names = new Set<string>();
  const runs: PlannedRun[] = [];
  ablation.methods.forEach((method, i) => {
    if (names.has(method.name)) throw new ConfigError([{ path: `methods.${i}.name`, message: `"${method.name}" is used twice` }], file);
    names.add(method.name);
    const configFile = path.resolve(path.dirname(file), method.config);
    for (const seed of ablation.seeds) {
      const overrides = [...ablation.set, ...method.set, `seed=${seed}`];
      const { config } = loadConfig(configFile, overrides);
      const hash = configHash(config);
      runs.push({ method: method.name, seed, configFile, overrides, config, hash, folder: `${method.name}-seed${seed}-${hash}` });
    }
  });
  return { ablation, runs };
}
