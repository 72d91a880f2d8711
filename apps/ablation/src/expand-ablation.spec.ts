import * as fs from 'node:fs';
import * as path from 'node:path';
import { useTempDir } from '@zls/testing';
import { expandAblation } from './expand-ablation';

describe('expandAblation', () => {
  const dir = useTempDir('zls-ablation-');

  function write(rel: string, text: string): string {
    const file = path.join(dir(), rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  }

  it('expands methods × seeds into resolved, hashed runs', () => {
    write('methods/spnet.yaml', 'name: spnet\ntrain: {iterations: 100}\n');
    write('methods/strict.yaml', '_base_: spnet.yaml\nname: strict\npseudoLabel: {type: consistency}\n');
    const file = write(
      'ablations/small.yaml',
      'name: small\nseeds: [0, 1]\nset: [train.iterations=10]\nmethods:\n  - {name: SPNet, config: ../methods/spnet.yaml}\n  - {name: STRICT-2r, config: ../methods/strict.yaml, set: [rounds=2]}\n',
    );
    const { ablation, runs } = expandAblation(file);
    expect(ablation.name).toBe('small');
    expect(runs.map((r) => `${r.method}/${r.seed}`)).toEqual(['SPNet/0', 'SPNet/1', 'STRICT-2r/0', 'STRICT-2r/1']);
    expect(runs[2].config).toEqual({ name: 'strict', train: { iterations: 10 }, pseudoLabel: { type: 'consistency' }, rounds: 2, seed: 0 });
    expect(new Set(runs.map((r) => r.hash)).size).toBe(4);
    expect(runs[0].folder).toBe(`SPNet-seed0-${runs[0].hash}`);
  });

  it('gives the same hash to the same resolved config', () => {
    write('m.yaml', 'name: m\n');
    const file = write('a.yaml', 'seeds: [3]\nmethods: [{name: A, config: m.yaml}]\n');
    expect(expandAblation(file).runs[0].hash).toBe(expandAblation(file).runs[0].hash);
  });

  it('names the file and path of a bad entry', () => {
    write('m.yaml', 'name: m\n');
    expect(() => expandAblation(write('bad.yaml', 'seeds: [-1]\nmethods: [{name: A, config: m.yaml, sets: []}]\n'))).toThrow(
      /bad\.yaml[\s\S]*seeds: each value in seeds must not be less than 0[\s\S]*methods\.0\.sets: unknown option/,
    );
    expect(() => expandAblation(write('dup.yaml', 'methods: [{name: A, config: m.yaml}, {name: A, config: m.yaml}]\n'))).toThrow(
      /methods\.1\.name: "A" is used twice/,
    );
  });
});
