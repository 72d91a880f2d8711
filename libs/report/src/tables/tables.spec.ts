import { comparisonMarkdown } from './markdown-table';
import { stat, summariseRuns } from './summarise';

describe('stat', () => {
  it('computes the mean and the population standard deviation', () => {
    expect(stat([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, std: 2, n: 8 });
    expect(stat([3])).toEqual({ mean: 3, std: 0, n: 1 });
    expect(stat([]).n).toBe(0);
  });
});

describe('summariseRuns and comparisonMarkdown', () => {
  const runs = [
    { method: 'SPNet', seed: 0, seen: 54, unseen: 0, harmonic: 0 },
    { method: 'STRICT', seed: 0, seen: 59, unseen: 36, harmonic: 44.7 },
    { method: 'SPNet', seed: 1, seen: 56, unseen: 0, harmonic: 0 },
    { method: 'STRICT', seed: 1, seen: 61, unseen: 40, harmonic: 48.3 },
  ];

  it('groups runs by method in first-seen order', () => {
    const rows = summariseRuns(runs);
    expect(rows.map((r) => r.method)).toEqual(['SPNet', 'STRICT']);
    expect(rows[1].seeds).toEqual([0, 1]);
    expect(rows[1].unseen).toEqual({ mean: 38, std: 2, n: 2 });
  });

  it('renders mean ± std with one decimal', () => {
    expect(comparisonMarkdown(summariseRuns(runs))).toBe(
      [
        '| method | seeds | S mIoU | U mIoU | hIoU |',
        '|---|---|---|---|---|',
        '| SPNet | 2 | 55.0 ± 1.0 | 0.0 ± 0.0 | 0.0 ± 0.0 |',
        '| STRICT | 2 | 60.0 ± 1.0 | 38.0 ± 2.0 | 46.5 ± 1.8 |',
        '',
      ].join('\n'),
    );
  });

  it('prints a single seed without ±', () => {
    expect(comparisonMarkdown(summariseRuns([runs[0]]))).toContain('| SPNet | 1 | 54.0 | 0.0 | 0.0 |');
  });
});
