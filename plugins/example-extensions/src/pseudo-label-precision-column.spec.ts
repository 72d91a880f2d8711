import { Registries, type RunResult } from '@zls/core';
import { plugin } from './plugin';
import { PSEUDO_LABEL_PRECISION_COLUMN } from './pseudo-label-precision-column';

function run(precisions: (number | null)[]): RunResult {
  return { pseudoLabelQuality: precisions.map((precision, i) => ({ round: i + 1, quality: { precision } })) } as unknown as RunResult;
}

describe('pseudo-label precision column', () => {
  it("reads the last round's precision as a percentage, and nothing for a run without rounds", () => {
    expect(PSEUDO_LABEL_PRECISION_COLUMN.value(run([0.5, 0.625]))).toBe(62.5);
    expect(PSEUDO_LABEL_PRECISION_COLUMN.value(run([]))).toBeUndefined();
    expect(PSEUDO_LABEL_PRECISION_COLUMN.value(run([null]))).toBeUndefined();
  });

  it('is added after the headline columns when the plugin registers', () => {
    const registries = new Registries();
    plugin.register(registries);
    expect(registries.resultColumns.list().map((c) => c.key)).toEqual(['seen', 'unseen', 'harmonic', 'pseudoLabelPrecision']);
  });
});
