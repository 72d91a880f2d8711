import * as fs from 'node:fs';
import * as path from 'node:path';
import { Registries } from '@zls/core';
import { useTempDir } from '@zls/testing';
import { readReportSource } from './run-folders';

/** A run's results.json as zls wrote it before pseudo-label coverage got its name (it said `recall`). */
const oldRun = {
  name: 'st',
  seed: 0,
  configHash: 'abc',
  headline: { seen: 60, unseen: 30, harmonic: 40 },
  stages: [{ name: 'spnet', key: 'k', headline: { seen: 60, unseen: 0, harmonic: 0 }, trained: true, seconds: 1 }],
  pseudoLabelQuality: [{ round: 1, quality: { precisionOnUnseen: 0.9, recall: 0.4, coverage: 0.7, classes: [{ index: 3, name: 'cat', assigned: 1, correct: 1, hiddenPixels: 2, precision: 1, recall: 0.5, coverage: 0.5 }] } }],
  seconds: 2,
};

describe('readReportSource', () => {
  const dir = useTempDir('zls-report-source-');

  it('reads a finished run of an older zls into the current schema (recall is coverage)', () => {
    fs.writeFileSync(path.join(dir(), 'results.json'), JSON.stringify(oldRun));
    const source = readReportSource(dir());
    const quality = source.runs[0].result.pseudoLabelQuality[0].quality;
    expect(quality).toMatchObject({ precisionOnUnseen: 0.9, coverage: 0.4, labelledUnseen: 0.7 });
    expect(quality.classes[0]).toMatchObject({ coverage: 0.5, labelledShare: 0.5 });
    expect(source.table).toEqual([{ method: 'st', seeds: [0], seen: { mean: 60, std: 0, n: 1 }, unseen: { mean: 30, std: 0, n: 1 }, harmonic: { mean: 40, std: 0, n: 1 } }]);
  });

  it('reads the runs of an ablation folder the same way, and fills the registered columns of a single run', () => {
    fs.writeFileSync(path.join(dir(), 'results.json'), JSON.stringify({ name: 'abl', table: [], runs: [{ method: 'ST', seed: 0, folder: 'st-0', result: oldRun }] }));
    expect(readReportSource(dir()).runs[0].result.pseudoLabelQuality[0].quality.coverage).toBe(0.4);

    fs.writeFileSync(path.join(dir(), 'results.json'), JSON.stringify(oldRun));
    const registries = new Registries();
    registries.resultColumns.add({ key: 'stages', label: 'stages', value: (r) => r.stages.length });
    expect(readReportSource(dir(), registries.resultColumns.list()).table[0]['stages']).toEqual({ mean: 1, std: 0, n: 1 });
  });

  it('names the file and the key of a value it cannot read', () => {
    const bad = { ...oldRun, pseudoLabelQuality: [{ round: 1, quality: { recall: 'high' } }] };
    fs.writeFileSync(path.join(dir(), 'results.json'), JSON.stringify(bad));
    expect(() => readReportSource(dir())).toThrow(/results\.json: pseudoLabelQuality\[0\]\.quality: "recall" is "high"/);
  });
});
