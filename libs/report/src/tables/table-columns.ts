import { HEADLINE_COLUMNS, type ResultColumn } from '@zls/core';
import { statOf, type MethodSummary } from './summarise';

/**
 * The columns to show for `rows`: the given (registered) ones, then any other number the rows hold, under its
 * key. An ablation's results.json keeps a plugin's column, so its report shows it without the plugin loaded.
 */
export function columnsOf(rows: readonly MethodSummary[], columns: readonly ResultColumn[] = HEADLINE_COLUMNS): ResultColumn[] {
  const known = new Set(columns.map((c) => c.key));
  const extra: ResultColumn[] = [];
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (known.has(key) || !statOf(row, key)) continue;
      known.add(key);
      extra.push({ key, label: key, value: () => undefined });
    }
  }
  return [...columns, ...extra];
}
