import { formatStat, percentStat, stat } from './stat';

describe('formatStat: the one mean ± std cell', () => {
  it('prints one seed without ±, several with the population std, one decimal by default', () => {
    expect(formatStat(stat([54.04]))).toBe('54.0');
    expect(formatStat(stat([59, 61]))).toBe('60.0 ± 1.0');
    expect(formatStat(stat([36, 40]), 2)).toBe('38.00 ± 2.00');
  });

  it('prints a dash for a missing value: no Stat, no seeds, or an undefined (NaN) mean', () => {
    expect(formatStat(undefined)).toBe('–');
    expect(formatStat(stat([]))).toBe('–');
    expect(formatStat(stat([NaN, 3]))).toBe('–');
  });
});

describe('percentStat', () => {
  it('scales fractions to percent over the seeds that have a value', () => {
    expect(percentStat([0.4, null, 0.5, NaN, undefined])).toEqual({ mean: 45, std: expect.closeTo(5, 12), n: 2 });
    expect(formatStat(percentStat([0.4, null, 0.5]))).toBe('45.0 ± 5.0');
    expect(formatStat(percentStat([null, null]))).toBe('–');
  });
});
