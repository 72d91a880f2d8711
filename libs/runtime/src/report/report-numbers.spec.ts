import type { RunResult } from '@zls/engine';
import { perClassQualityNumbers } from './report-numbers';
import type { RunFolder } from './run-folders';

/** A run folder whose results hold only round-1 pseudo-label quality per class. */
function run(seed: number, classes: object[]): RunFolder {
  return { method: 'STRICT', seed, folder: `/runs/${seed}`, result: { pseudoLabelQuality: [{ round: 1, quality: { classes } }] } as unknown as RunResult };
}

describe('per-class pseudo-label quality numbers', () => {
  it('averages precision, coverage (= recall) and per-seed IoU over seeds, in percent, skipping undefined ratios', () => {
    const points = perClassQualityNumbers([
      run(0, [
        { index: 3, name: 'cat', assigned: 10, correct: 8, hiddenPixels: 20, precision: 0.8, recall: 0.4, coverage: 0.45 },
        { index: 4, name: 'dog', assigned: 0, correct: 0, hiddenPixels: 0, precision: null, recall: null, coverage: null },
      ]),
      run(1, [
        { index: 3, name: 'cat', assigned: 5, correct: 5, hiddenPixels: 10, precision: 1, recall: 0.5, coverage: 0.6 },
        { index: 4, name: 'dog', assigned: 0, correct: 0, hiddenPixels: 6, precision: null, recall: 0, coverage: 0 },
      ]),
    ]);
    expect(points).toHaveLength(2);
    const [cat, dog] = points;
    expect(cat).toMatchObject({ method: 'STRICT', round: 1, className: 'cat' });
    expect(cat.precision).toBeCloseTo(90, 10);
    expect(cat.coverage).toBeCloseTo(45, 10);
    // IoU per seed: 8 / 22 and 5 / 10, then the mean (not 13 / 32 from pooled counts).
    expect(cat.iou).toBeCloseTo((100 * (8 / 22 + 5 / 10)) / 2, 10);
    expect(dog).toEqual({ method: 'STRICT', round: 1, className: 'dog', precision: null, coverage: 0, iou: 0 });
  });

  it('has nothing to show for results without per-class entries', () => {
    expect(perClassQualityNumbers([{ ...run(0, []), result: { pseudoLabelQuality: [{ round: 1, quality: { precision: 0.5 } }] } as unknown as RunResult }])).toEqual([]);
  });
});
