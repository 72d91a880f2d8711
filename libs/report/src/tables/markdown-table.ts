import { formatColumn, HEADLINE_COLUMNS, type Column, type ResultColumn } from '@zls/core';
import { statOf, type MethodSummary } from './summarise';

/** A Markdown table of `rows`, one column per descriptor, in order. */
export function markdownTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const lines = [`| ${columns.map((c) => c.label).join(' | ')} |`, `|${columns.map(() => '---|').join('')}`];
  for (const row of rows) lines.push(`| ${columns.map((c) => c.format(row)).join(' | ')} |`);
  return lines.join('\n') + '\n';
}

/** A results column as a cell of a method's row. */
export function summaryColumn(column: ResultColumn, label = column.label): Column<MethodSummary> {
  return { key: column.key, label, format: (row) => formatColumn(column, statOf(row, column.key)) };
}

/** The paper-style comparison table: method, seeds, then one cell per results column (seen, unseen, harmonic mIoU, …). */
export function comparisonMarkdown(rows: readonly MethodSummary[], columns: readonly ResultColumn[] = HEADLINE_COLUMNS): string {
  return markdownTable<MethodSummary>(
    [
      { key: 'method', label: 'method', format: (r) => r.method },
      { key: 'seeds', label: 'seeds', format: (r) => String(r.seeds.length) },
      ...columns.map((c) => summaryColumn(c)),
    ],
    rows,
  );
}
