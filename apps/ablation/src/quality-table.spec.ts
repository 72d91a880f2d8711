import type { RunResult } from '@zls/engine';
import { perClassQualityMarkdown, qualityMarkdown } from './quality-table';

/** A finished run holding only round-1 pseudo-label quality: what the tables read. */
function run(method: string, classes: object[]): { method: string; result: RunResult } {
  const quality = { precision: 0.5, precisionOnUnseen: 0.9, recall: 0.4, labelledCandidates: 0.3, labelledNonUnseenCandidates: 0.2, classes };
  return { method, result: { labeller: 'all views agree', pseudoLabelQuality: [{ round: 1, quality }] } as unknown as RunResult };
}

// Two seeds of STRICT. "cat": seed 0 IoU 8 / (10 + 20 − 8) = 36.36 %, seed 1 IoU 5 / (5 + 10 − 5) = 50 %.
// "dog" is absent and unlabelled in seed 0 (every ratio undefined: null in JSON), wholly wrong in seed 1.
const seed0 = run('STRICT', [
  { index: 3, name: 'cat', assigned: 10, correct: 8, hiddenPixels: 20, precision: 0.8, recall: 0.4, coverage: 0.45 },
  { index: 4, name: 'dog', assigned: 0, correct: 0, hiddenPixels: 0, precision: null, recall: null, coverage: null },
]);
const seed1 = run('STRICT', [
  { index: 3, name: 'cat', assigned: 5, correct: 5, hiddenPixels: 10, precision: 1, recall: 0.5, coverage: 0.6 },
  { index: 4, name: 'dog', assigned: 4, correct: 0, hiddenPixels: 6, precision: 0, recall: 0, coverage: 0.5 },
]);

describe('per-class pseudo-label quality table', () => {
  it('has one row per method, round and unseen class: precision, coverage (= recall) and IoU, mean ± population std over seeds', () => {
    const lines = perClassQualityMarkdown([seed0, seed1]).trimEnd().split('\n');
    expect(lines[0]).toBe('| method | round | unseen class | precision | coverage | IoU |');
    // cat: precision (80, 100) → 90 ± 10; coverage is recall (40, 50) → 45 ± 5, not the `coverage` field;
    // IoU per seed (36.36, 50) → 43.2 ± 6.8, not the IoU of the pooled counts (13 / 32 = 40.6).
    expect(lines[2]).toBe('| STRICT | 1 | cat | 90.0 ± 10.0 | 45.0 ± 5.0 | 43.2 ± 6.8 |');
    // dog: only seed 1 defines the ratios.
    expect(lines[3]).toBe('| STRICT | 1 | dog | 0.0 | 0.0 | 0.0 |');
    expect(lines).toHaveLength(4);
  });

  it('keeps the overall table, naming the selection rule of each method', () => {
    const table = qualityMarkdown([seed0, seed1]);
    expect(table).toContain('| method | rule | round |');
    expect(table).toContain('| STRICT | all views agree | 1 | 50.0 ± 0.0 | 90.0 ± 0.0 | 40.0 ± 0.0 | 30.0 ± 0.0 | 20.0 ± 0.0 |');
  });
});

describe('quality tables of results in the current schema', () => {
  /** The seeds above as zls writes them now: `recall` is `coverage`, the old `coverage` the labelled share. */
  const current = (r: { method: string; result: RunResult }) => {
    const rename = ({ recall, coverage, ...rest }: Record<string, unknown>) => ({ ...rest, coverage: recall, labelledShare: coverage });
    return {
      method: r.method,
      result: {
        ...r.result,
        pseudoLabelQuality: r.result.pseudoLabelQuality.map((q) => {
          const { recall, coverage, classes, ...rest } = q.quality as unknown as Record<string, unknown>;
          return { round: q.round, quality: { ...rest, coverage: recall, labelledUnseen: coverage, classes: (classes as Record<string, unknown>[]).map(rename) } };
        }),
      } as unknown as RunResult,
    };
  };

  it('print the same tables as the same numbers read from results written before the rename', () => {
    expect(perClassQualityMarkdown([current(seed0), current(seed1)])).toBe(perClassQualityMarkdown([seed0, seed1]));
    expect(qualityMarkdown([current(seed0), current(seed1)])).toBe(qualityMarkdown([seed0, seed1]));
    expect(perClassQualityMarkdown([current(seed0), current(seed1)])).toContain('| STRICT | 1 | cat | 90.0 ± 10.0 | 45.0 ± 5.0 | 43.2 ± 6.8 |');
  });
});
