import { readPseudoLabelQuality } from './pseudo-label-quality';
import { readRunResult } from './read-run-result';

const counts = { index: 3, name: 'cat', assigned: 10, correct: 8, hiddenPixels: 20, precision: 0.8 };

describe('readPseudoLabelQuality', () => {
  it('reads results written before the rename: recall is coverage, the old coverage the any-label share', () => {
    const old = { round: 1, precision: 0.5, precisionOnUnseen: 0.9, recall: 0.4, coverage: 0.7, classes: [{ ...counts, recall: 0.4, coverage: 0.45 }] };
    const q = readPseudoLabelQuality(old);
    expect(q).toMatchObject({ round: 1, precision: 0.5, precisionOnUnseen: 0.9, coverage: 0.4, labelledUnseen: 0.7 });
    expect(q.classes).toEqual([{ ...counts, coverage: 0.4, labelledShare: 0.45 }]);
    expect(q).not.toHaveProperty('recall');
  });

  it('reads current results unchanged, and its own output again the same (idempotent)', () => {
    const current = { round: 2, coverage: 0.4, labelledUnseen: 0.7, classes: [{ ...counts, coverage: 0.4, labelledShare: 0.45 }] };
    const q = readPseudoLabelQuality(current);
    expect(q).toMatchObject({ coverage: 0.4, labelledUnseen: 0.7 });
    expect(q.classes[0]).toMatchObject({ coverage: 0.4, labelledShare: 0.45 });
    expect(readPseudoLabelQuality(q)).toEqual(q);
  });

  it('gives null for missing or undefined ratios and no classes for results without them', () => {
    const q = readPseudoLabelQuality({ precision: null });
    expect(q.precision).toBeNull();
    expect(q.coverage).toBeNull();
    expect(q.classes).toEqual([]);
  });

  it('rejects a value of the wrong kind, naming the file and key', () => {
    expect(() => readPseudoLabelQuality({ precision: '50%' }, 'runs/a/results.json')).toThrow(/runs\/a\/results\.json: "precision" is "50%"; expected a number or null/);
    expect(() => readPseudoLabelQuality({ classes: {} }, 'q.json')).toThrow(/q\.json: "classes" is \{\}; expected a list/);
    expect(() => readPseudoLabelQuality(null, 'q.json')).toThrow(/q\.json: expected a pseudo-label quality object/);
  });
});

describe('readRunResult', () => {
  const run = { name: 'x', seed: 0, configHash: 'h', headline: { seen: 1, unseen: 2, harmonic: 3 }, stages: [], seconds: 1 };

  it('brings every round of an old results.json to the current schema, keeping the rest', () => {
    const result = readRunResult({ ...run, pseudoLabelQuality: [{ round: 1, quality: { recall: 0.4, coverage: 0.7 } }] }, 'results.json');
    expect(result.headline).toEqual(run.headline);
    expect(result.pseudoLabelQuality[0].quality).toMatchObject({ coverage: 0.4, labelledUnseen: 0.7 });
    expect(readRunResult(run, 'results.json').pseudoLabelQuality).toEqual([]);
  });

  it('rejects what is not a run, naming the file', () => {
    expect(() => readRunResult({ table: [] }, 'runs/a/results.json')).toThrow(/runs\/a\/results\.json: expected the results of a run/);
    expect(() => readRunResult({ ...run, pseudoLabelQuality: [null] }, 'r.json')).toThrow(/r\.json: pseudoLabelQuality\[0\] is null; expected \{ round, quality \}/);
    expect(() => readRunResult({ ...run, pseudoLabelQuality: [{ round: 1, quality: { coverage: 'x' } }] }, 'r.json')).toThrow(/r\.json: pseudoLabelQuality\[0\]\.quality: "coverage"/);
  });
});
