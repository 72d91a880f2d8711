import { parse } from 'yaml';
import { ConfigError } from '../errors';
import { isPlain, type Plain } from './merge';

/**
 * Applies `--set a.b.c=value` overrides. The value is read as a YAML scalar or flow collection, so
 * `8` is a number, `true` a boolean, `[1, 2]` a list and `"8"` a string. Numeric segments index lists.
 */
export function applyOverrides(config: Plain, overrides: readonly string[]): Plain {
  let out = structuredClone(config);
  for (const override of overrides) out = applyOne(out, override);
  return out;
}

function applyOne(config: Plain, override: string): Plain {
  const eq = override.indexOf('=');
  if (eq <= 0) {
    throw new ConfigError([{ path: override, message: 'an override must look like key.path=value' }], '--set');
  }
  const path = override.slice(0, eq).trim();
  const raw = override.slice(eq + 1);
  let value: unknown;
  try {
    value = raw === '' ? '' : parse(raw);
  } catch (e) {
    throw new ConfigError([{ path, message: `cannot read value "${raw}": ${(e as Error).message}` }], '--set');
  }
  const keys = path.split('.');
  let node: unknown = config;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i];
    const container = node as Plain | unknown[];
    let next = Array.isArray(container) ? container[Number(key)] : (container as Plain)[key];
    if (next === undefined || next === null) {
      next = {};
      setChild(container, key, next, keys.slice(0, i + 1).join('.'));
    } else if (!isPlain(next) && !Array.isArray(next)) {
      throw new ConfigError(
        [{ path: keys.slice(0, i + 1).join('.'), message: `is ${JSON.stringify(next)}, not a mapping; cannot set ${path}` }],
        '--set',
      );
    }
    node = next;
  }
  setChild(node as Plain | unknown[], keys[keys.length - 1], value, path);
  return config;
}

function setChild(container: Plain | unknown[], key: string, value: unknown, path: string): void {
  if (Array.isArray(container)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index > container.length) {
      throw new ConfigError([{ path, message: `list index ${key} out of range 0..${container.length}` }], '--set');
    }
    container[index] = value;
  } else {
    container[key] = value;
  }
}
