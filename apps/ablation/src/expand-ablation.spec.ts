import * as fs from 'node:fs';
import * as path from 'node:path';
import { useTempDir } from '@zls/testing';
import { createRegistries } from '@zls/runtime';
import { SyntheticDataset, syntheticOptions } from '@zls/data';
import { dataDrawNote, expandAblation } from './expand-ablation';

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

  describe('data draws', () => {
    const takesSeed = (type: string) => type === 'synthetic';

    it('per seed by default: seed s sets dataset.seed = s when the dataset takes a seed', () => {
      write('syn.yaml', 'name: syn\ndataset: {type: synthetic, nTrain: 8}\n');
      write('voc.yaml', 'name: voc\ndataset: {type: voc12, root: data}\n');
      const file = write('draws.yaml', 'seeds: [0, 2]\nmethods: [{name: S, config: syn.yaml}, {name: V, config: voc.yaml}]\n');
      const { runs } = expandAblation(file, { datasetTakesSeed: takesSeed });
      expect(runs.map((r) => (r.config['dataset'] as Record<string, unknown>)['seed'])).toEqual([0, 2, undefined, undefined]);
      expect(runs.map((r) => r.dataSeed)).toEqual([0, 2, undefined, undefined]);
      expect(dataDrawNote(runs.slice(0, 2))).toMatch(/each seed is an independent data draw/);
      expect(dataDrawNote(runs.slice(2))).toMatch(/fixed by the dataset/);
    });

    it('leaves a draw that the config or the overrides pin, and says so', () => {
      write('pinned.yaml', 'name: p\ndataset: {type: synthetic, seed: 7}\n');
      write('free.yaml', 'name: f\ndataset: {type: synthetic}\n');
      const file = write('pin.yaml', 'seeds: [0, 1]\nmethods: [{name: P, config: pinned.yaml}, {name: O, config: free.yaml, set: [dataset.seed=7]}]\n');
      const { runs } = expandAblation(file, { datasetTakesSeed: takesSeed });
      expect(runs.map((r) => r.dataSeed)).toEqual([7, 7, 7, 7]);
      expect(dataDrawNote(runs)).toMatch(/one draw for every seed \(dataset\.seed = 7, pinned\)/);
      const off = write('off.yaml', 'seeds: [0, 1]\ndataSeeds: pinned\nmethods: [{name: O, config: free.yaml}]\n');
      expect(expandAblation(off, { datasetTakesSeed: takesSeed }).runs.map((r) => r.dataSeed)).toEqual([undefined, undefined]);
    });

    it('no two seeds of the shipped main job share an image (the synthetic registry takes a seed)', () => {
      const registries = createRegistries();
      const datasetTakesSeed = (type: string) => registries.dataset.describeOptions(type).some((o) => o.name === 'seed');
      const mainJob = path.resolve(__dirname, '../../../experiments/ablations/full.yaml');
      const runs = expandAblation(mainJob, { datasetTakesSeed }).runs.filter((r) => r.method === 'STRICT');
      expect(runs.length).toBeGreaterThanOrEqual(2);
      const seen = new Map<string, string>();
      for (const run of runs) {
        const options = run.config['dataset'] as Record<string, unknown>;
        expect(options['seed']).toBe(run.seed);
        for (const split of ['train', 'test'] as const) {
          const data = new SyntheticDataset(syntheticOptions({ seed: options['seed'] as number, size: 16, nTrain: 40, nTest: 20, split }));
          for (let i = 0; i < data.ids.length; i++) {
            const key = Buffer.from(data.raw(i).image).toString('base64');
            const where = `seed ${run.seed} ${split} ${i}`;
            expect(seen.get(key) ?? where).toBe(where);
            seen.set(key, where);
          }
        }
      }
    });
  });
});
