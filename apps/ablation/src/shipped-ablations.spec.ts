import * as fs from 'node:fs';
import * as path from 'node:path';
import { experimentIssues, loadPlugins, type Plain } from '@zls/core';
import { baseStageKey, roundStageKey } from '@zls/engine';
import { createRegistries } from '@zls/runtime';
import { expandAblation } from './expand-ablation';

const dir = path.resolve(__dirname, '../../../experiments/ablations');
const registries = createRegistries();
const datasetTakesSeed = (type: string) => registries.dataset.has(type) && registries.dataset.describeOptions(type).some((o) => o.name === 'seed');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml'));

// The plugins the shipped configs name (plugin-example.yaml's), loaded as planAblation loads them.
beforeAll(async () => {
  const named = files.flatMap((f) => expandAblation(path.join(dir, f)).runs.flatMap((r) => (r.config['plugins'] as string[] | undefined) ?? []));
  await loadPlugins([...new Set(named)], registries, dir);
});

describe('the shipped ablation files', () => {
  it.each(files)('%s expands into runs that all validate', (file) => {
    const { runs } = expandAblation(path.join(dir, file), { datasetTakesSeed });
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs) expect({ run: `${run.method} seed ${run.seed}`, issues: experimentIssues(run.config, registries) }).toEqual({ run: `${run.method} seed ${run.seed}`, issues: [] });
  });

  it('every synthetic ablation draws its own data per seed', () => {
    for (const file of files) {
      for (const run of expandAblation(path.join(dir, file), { datasetTakesSeed }).runs) {
        if ((run.config['dataset'] as Plain)['type'] === 'synthetic') expect(`${file} ${run.method}: ${run.dataSeed}`).toBe(`${file} ${run.method}: ${run.seed}`);
      }
    }
  });

  it('rounds.yaml: a longer run reuses every round of the shorter ones (one six-round run per labeller and seed)', () => {
    const runs = expandAblation(path.join(dir, 'rounds.yaml'), { datasetTakesSeed }).runs.filter((r) => r.seed === 0 && r.method.startsWith('STRICT'));
    const chain = (config: Plain, rounds: number) => {
      const keys = [baseStageKey(config)];
      for (let r = 1; r <= rounds; r++) keys.push(roundStageKey(keys[keys.length - 1], config, r));
      return keys;
    };
    const six = chain(runs[5].config, 6);
    runs.forEach((run, i) => expect(chain(run.config, i + 1)).toEqual(six.slice(0, i + 2)));
  });

  it('the geometry and augmentation ablations change what they say, and only that', () => {
    const byName = (file: string) => new Map(expandAblation(path.join(dir, file), { datasetTakesSeed }).runs.filter((r) => r.seed === 0).map((r) => [r.method, r.config]));
    const geometry = byName('geometry.yaml');
    const old = geometry.get('STRICT.old-grid') as Plain;
    const faithful = geometry.get('STRICT') as Plain;
    expect([(faithful['dataset'] as Plain)['size'], (faithful['model'] as Plain)['upsampling']]).toEqual([65, 'align-corners']);
    expect([(old['dataset'] as Plain)['size'], (old['model'] as Plain)['upsampling']]).toEqual([64, 'half-pixel']);
    expect({ ...old, dataset: faithful['dataset'], model: faithful['model'] }).toEqual(faithful);
    const augmentation = byName('augmentation.yaml');
    const types = (c: Plain | undefined) => (c?.['transforms'] as Plain[]).map((t) => t['type']);
    expect(types(augmentation.get('STRICT'))).toEqual(['random-scale', 'horizontal-flip', 'normalize']);
    expect(types(augmentation.get('STRICT.no-scale-aug'))).toEqual(['horizontal-flip', 'normalize']);
  });
});
