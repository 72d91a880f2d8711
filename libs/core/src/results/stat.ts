/** A number over seeds: what every results table prints as mean ± std. */
export interface Stat {
  mean: number;
  /** Population standard deviation over seeds (0 for one seed), as in the prototype's tables. */
  std: number;
  n: number;
}

export function stat(values: readonly number[]): Stat {
  if (values.length === 0) return { mean: NaN, std: NaN, n: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance), n: values.length };
}

/**
 * Fractions (0–1, null or NaN where a seed has none) as a percent Stat over the seeds that have one. The mean is
 * taken before scaling, as the quality tables always did, so their printed digits stay the same.
 */
export function percentStat(fractions: readonly (number | null | undefined)[]): Stat {
  const ok = fractions.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (ok.length === 0) return { mean: NaN, std: NaN, n: 0 };
  const mean = (ok.reduce((a, b) => a + b, 0) / ok.length) * 100;
  const std = Math.sqrt(ok.reduce((a, v) => a + (v * 100 - mean) ** 2, 0) / ok.length);
  return { mean, std, n: ok.length };
}

/** The one cell format of every results table: "m ± s" over several seeds, "m" for one, "–" for none. */
export function formatStat(s: Stat | undefined, digits = 1): string {
  if (!s || s.n === 0 || Number.isNaN(s.mean)) return '–';
  return s.n > 1 ? `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}` : s.mean.toFixed(digits);
}
