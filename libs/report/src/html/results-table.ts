import { formatColumn, HEADLINE_COLUMNS, type ResultColumn } from '@zls/core';
import { statOf, type MethodSummary } from '../tables/summarise';
import { escapeHtml } from './escape-html';

function cell(column: ResultColumn, row: MethodSummary, top: number): string {
  const s = statOf(row, column.key);
  const text = escapeHtml(formatColumn(column, s));
  if (!s || s.n === 0 || Number.isNaN(s.mean)) return `<td>${text}</td>`;
  return `<td${s.mean === top ? ' class="best"' : ''}>${text}</td>`;
}

/** The report's results table: method, one cell per results column (the best mean of each in bold), seeds. */
export function resultsTableHtml(rows: readonly MethodSummary[], columns: readonly ResultColumn[] = HEADLINE_COLUMNS): string {
  const top = columns.map((c) => Math.max(...rows.map((r) => statOf(r, c.key)?.mean ?? NaN).map((m) => (Number.isNaN(m) ? -Infinity : m))));
  const head = columns.map((c) => `<th>${escapeHtml(c.title ?? c.label)}</th>`).join('');
  const body = rows.map((r) => `<tr><td>${escapeHtml(r.method)}</td>${columns.map((c, i) => cell(c, r, top[i])).join('')}<td>${r.seeds.join(', ')}</td></tr>`);
  return `<table class="results"><thead><tr><th>method</th>${head}<th>seeds</th></tr></thead><tbody>${body.join('')}</tbody></table>`;
}
