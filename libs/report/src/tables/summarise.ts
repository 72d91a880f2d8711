import { HEADLINE_COLUMNS, stat, type ResultColumn, type RunResult, type Stat } from '@zls/core';

export { stat, type Stat } from '@zls/core';

/** One finished run's numbers (percent) by column key, as a table collects them: `seen`, `unseen`, a plugin's. */
export interface ResultRow {
  method: string;
  seed: number;
  [column: string]: string | number | undefined;
}

/** One method's row: each column's Stat over its seeds, under the column's key. */
export interface MethodSummary {
  method: string;
  seeds: number[];
  seen: Stat;
  unseen: Stat;
  harmonic: Stat;
  [column: string]: string | number[] | Stat;
}

/** A run's row: every column's value read from its results. */
export function resultRow(method: string, seed: number, result: RunResult, columns: readonly ResultColumn[] = HEADLINE_COLUMNS): ResultRow {
  const row: ResultRow = { method, seed };
  for (const c of columns) row[c.key] = c.value(result);
  return row;
}

/**
 * A column's Stat in a method's row (undefined: the row has no such column). A table read back from
 * results.json holds null where the Stat held NaN (JSON has no NaN): NaN again here.
 */
export function statOf(row: MethodSummary, key: string): Stat | undefined {
  const v = row[key] as { mean?: number | null; std?: number | null; n?: unknown } | undefined;
  if (v === null || typeof v !== 'object' || Array.isArray(v) || typeof v.n !== 'number') return undefined;
  return typeof v.mean === 'number' && typeof v.std === 'number' ? (v as Stat) : { mean: v.mean ?? NaN, std: v.std ?? NaN, n: v.n };
}

/** Mean ± std per method over its seeds, methods in first-seen order; one Stat per column. */
export function summariseRuns(results: readonly ResultRow[], columns: readonly ResultColumn[] = HEADLINE_COLUMNS): MethodSummary[] {
  const order: string[] = [];
  const groups = new Map<string, ResultRow[]>();
  for (const r of results) {
    if (!groups.has(r.method)) {
      groups.set(r.method, []);
      order.push(r.method);
    }
    (groups.get(r.method) as ResultRow[]).push(r);
  }
  return order.map((method) => {
    const runs = groups.get(method) as ResultRow[];
    const summary = { method, seeds: runs.map((r) => r.seed) } as MethodSummary;
    // A run without a column's number (undefined) is left out of that column's Stat; NaN stays, as before.
    for (const c of columns) summary[c.key] = stat(runs.map((r) => r[c.key]).filter((v): v is number => typeof v === 'number'));
    return summary;
  });
}
