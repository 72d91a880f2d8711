import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { ConfigError, SeededRng, loadConfig, type Plain } from '@zls/core';
import { useTempDir } from '@zls/testing';
import { loadExperiment } from './load-experiment';
import { createRegistries } from './registries';

const root = path.resolve(__dirname, '../../..');
const strict = path.join(root, 'experiments/strict/strict-2r_synthetic-net_1000+2x400_synthetic-64.yaml');
const WRONG_VALUES: unknown[] = ['abc', -1, 1e308, [], {}, true, null, [1, 'x'], { type: 42 }, ''];

/** Every path to a leaf value (a number, string, boolean or list) of a plain config tree. */
function leafPaths(node: unknown, prefix: string[] = []): string[][] {
  if (node && typeof node === 'object' && !Array.isArray(node)) return Object.entries(node).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
  return [prefix];
}

function objectPaths(node: unknown, prefix: string[] = []): string[][] {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return [];
  return [prefix, ...Object.entries(node).flatMap(([k, v]) => objectPaths(v, [...prefix, k]))];
}

function setAt(config: Plain, at: string[], value: unknown): Plain {
  const copy = structuredClone(config) as Record<string, unknown>;
  let node = copy;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[at[at.length - 1]] = value;
  return copy as Plain;
}

/**
 * Seeded fuzzing of experiment files: wrong types at random keys, unknown keys, and broken YAML must each end
 * in a ConfigError that names the file and the key (or succeed when the mutation happens to be valid) —
 * never a TypeError from deep inside, never a hang.
 */
describe('fuzzing experiment files (seeded, bounded)', () => {
  const dir = useTempDir('zls-config-fuzz-');
  const base = loadConfig(strict, []).config;
  const registries = createRegistries();

  async function outcome(config: Plain | string, name: string): Promise<'valid' | ConfigError> {
    const file = path.join(dir(), name);
    fs.writeFileSync(file, typeof config === 'string' ? config : stringify(config));
    try {
      await loadExperiment(file, [], registries);
      return 'valid';
    } catch (e) {
      if (!(e instanceof ConfigError)) throw new Error(`${name}: ${String(e)}\n${fs.readFileSync(file, 'utf8')}`);
      expect(e.message).toContain(file);
      return e;
    }
  }

  it('a wrong type at a random key is refused, naming that key', async () => {
    const rng = new SeededRng(21);
    const leaves = leafPaths(base).filter((p) => p[0] !== 'name' && p[0] !== '_base_');
    let refused = 0;
    for (let i = 0; i < 120; i++) {
      const at = leaves[Math.floor(rng.next() * leaves.length)];
      const value = WRONG_VALUES[Math.floor(rng.next() * WRONG_VALUES.length)];
      const result = await outcome(setAt(base, at, value), `wrong-type-${i}.yaml`);
      if (result === 'valid') continue;
      refused++;
      // The issue's path is the mutated key or its enclosing component (e.g. an unknown `type`).
      expect(result.issues.some((issue) => at.join('.').startsWith(issue.path) || issue.path.startsWith(at.join('.')))).toBe(true);
    }
    expect(refused).toBeGreaterThan(80);
  }, 60_000);

  it('an unknown key anywhere is refused, naming it', async () => {
    const rng = new SeededRng(22);
    const objects = objectPaths(base);
    for (let i = 0; i < 40; i++) {
      const at = objects[Math.floor(rng.next() * objects.length)];
      const key = `unknownKey${i}`;
      const result = await outcome(setAt(base, [...at, key], 1), `unknown-${i}.yaml`);
      expect(result).toBeInstanceOf(ConfigError);
      expect((result as ConfigError).message).toContain(key);
    }
  }, 60_000);

  it('truncated or garbled YAML is refused with the file named', async () => {
    const text = fs.readFileSync(strict, 'utf8') + stringify(base);
    const rng = new SeededRng(23);
    for (let i = 0; i < 60; i++) {
      const cut = text.slice(0, Math.floor(rng.next() * text.length));
      const chars = [...cut];
      for (let k = 0; k < 3; k++) chars.splice(Math.floor(rng.next() * (chars.length + 1)), 0, '{[:"\t-&*!|>'[Math.floor(rng.next() * 11)]);
      await outcome(chars.join(''), `garbled-${i}.yaml`);
    }
  }, 60_000);
});
