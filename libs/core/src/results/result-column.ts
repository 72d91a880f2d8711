import type { RunResult } from './run-result';
import { formatStat, type Stat } from './stat';

/** One column of a rendered table: its key, its header, and how a row's cell prints. */
export interface Column<Row> {
  key: string;
  label: string;
  format: (row: Row) => string;
}

/**
 * One number of the results table, per method over its seeds (`S mIoU`, a plugin's metric). `value` reads it from
 * one run's results (undefined: that run has none); the tables print the Stat over seeds with `format`.
 */
export interface ResultColumn {
  /** The key of the number in a table row and in an ablation's results.json `table`. */
  key: string;
  /** Header of the Markdown table. */
  label: string;
  /** Header of the HTML report's table (default: `label`). */
  title?: string;
  value: (run: RunResult) => number | undefined;
  /** Default: `formatStat` (mean ± std, one decimal). */
  format?: (s: Stat | undefined) => string;
}

/** The columns every results table starts with: the final model's seen, unseen and harmonic mIoU (%). */
export const HEADLINE_COLUMNS: readonly ResultColumn[] = [
  { key: 'seen', label: 'S mIoU', title: 'seen mIoU', value: (r) => r.headline.seen },
  { key: 'unseen', label: 'U mIoU', title: 'unseen mIoU', value: (r) => r.headline.unseen },
  { key: 'harmonic', label: 'hIoU', title: 'harmonic', value: (r) => r.headline.harmonic },
];

export function formatColumn(column: ResultColumn, s: Stat | undefined): string {
  return (column.format ?? formatStat)(s);
}
