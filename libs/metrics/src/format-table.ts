import type { MetricsReport } from './metrics-report';
import type { SplitScore } from './scores';

/** A value in [0, 1] as a percentage with two decimals; NaN (undefined) as "n/a". */
export function formatPercent(v: number, digits = 2): string {
  return Number.isNaN(v) ? 'n/a' : (100 * v).toFixed(digits);
}

/** `mIoU seen S | unseen U | harmonic H`, the line papers in this field report. */
export function formatSummaryLine(report: Pick<MetricsReport, 'mIoU'>): string {
  const m = report.mIoU;
  return `mIoU seen ${formatPercent(m.seen)} | unseen ${formatPercent(m.unseen)} | harmonic ${formatPercent(m.harmonic)}`;
}

/** Aligns columns: the first `leftColumns` to the left, the others to the right. */
export function alignColumns(rows: readonly string[][], leftColumns: number): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i < leftColumns ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * The console table of a report: one row per class (seen/unseen marked), then the group metrics, then the
 * summary line. All metric values in percent.
 */
export function formatMetricsTable(report: MetricsReport): string {
  const header = ['idx', 'class', 'role', 'IoU', 'acc', 'prec', 'gt px', 'pred px'];
  const rows = report.classes.map((c) => [
    String(c.index),
    c.name,
    c.role,
    formatPercent(c.iou),
    formatPercent(c.accuracy),
    formatPercent(c.precision),
    String(c.groundTruthPixels),
    String(c.predictedPixels),
  ]);
  const lines = alignColumns([header, ...rows], 3);
  const rule = '-'.repeat(Math.max(...lines.map((l) => l.length)));

  const groupRow = (name: string, s: SplitScore) => [name, formatPercent(s.all), formatPercent(s.seen), formatPercent(s.unseen), formatPercent(s.harmonic)];
  const groups = alignColumns(
    [
      ['metric', 'all', 'seen', 'unseen', 'harmonic'],
      groupRow('mIoU', report.mIoU),
      groupRow('pixel accuracy', report.pixelAccuracy),
      groupRow('mean class accuracy', report.meanAccuracy),
      groupRow('frequency-weighted IoU', report.fwIoU),
    ],
    1,
  );
  const p = report.pixels;
  const where = report.warpSize === null ? 'original resolution' : `warped to ${report.warpSize}×${report.warpSize}`;
  const info =
    `${report.classSpace}: ${report.images} image(s), ${p.scored} scored pixel(s), ${p.ignored} ignored, ` +
    `${where}, ${report.convention} NaN convention` +
    (p.outOfSpacePredictions > 0 ? `, ${p.outOfSpacePredictions} prediction(s) outside the class space` : '');
  return [lines[0], rule, ...lines.slice(1), rule, ...groups, rule, info, formatSummaryLine(report)].join('\n');
}
