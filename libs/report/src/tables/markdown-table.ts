import type { MethodSummary, Stat } from './summarise';

function cell(s: Stat): string {
  if (s.n === 0 || Number.isNaN(s.mean)) return '–';
  return s.n > 1 ? `${s.mean.toFixed(1)} ± ${s.std.toFixed(1)}` : s.mean.toFixed(1);
}

/** The paper-style comparison table: seen, unseen and harmonic mIoU per method. */
export function comparisonMarkdown(rows: readonly MethodSummary[]): string {
  const lines = ['| method | seeds | S mIoU | U mIoU | hIoU |', '|---|---|---|---|---|'];
  for (const r of rows) {
    lines.push(`| ${r.method} | ${r.seeds.length} | ${cell(r.seen)} | ${cell(r.unseen)} | ${cell(r.harmonic)} |`);
  }
  return lines.join('\n') + '\n';
}
