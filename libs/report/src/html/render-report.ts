import { pseudoLabelQualityChart } from '../charts/pseudo-label-quality-chart';
import { perClassIouChart } from '../charts/per-class-iou-chart';
import { perClassQualityChart } from '../charts/per-class-quality-chart';
import { trainingCurvesChart } from '../charts/training-curves-chart';
import { vegaLiteToSvg } from '../charts/vega-svg';
import { classColourCss } from '../images/class-colours';
import { labelOverlay } from '../images/label-overlay';
import { pngDataUri } from '../images/png-data-uri';
import { columnsOf } from '../tables/table-columns';
import { escapeHtml } from './escape-html';
import type { ExamplePanel, ReportClass, ReportData } from './report-data';
import { resultsTableHtml } from './results-table';
import { REPORT_CSS } from './report-styles';

async function chartFigure(caption: string, spec: Parameters<typeof vegaLiteToSvg>[0]): Promise<string> {
  return `<figure class="chart">${await vegaLiteToSvg(spec)}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

function classLegend(classes: readonly ReportClass[]): string {
  const items = classes.map(
    (c) => `<span><span class="swatch" style="background:${classColourCss(c.index)}"></span><span class="${c.role === 'unseen' ? 'unseen-name' : ''}">${escapeHtml(c.name)}</span></span>`,
  );
  return `<div class="legend">${items.join('')}</div>`;
}

function examplePanel(panel: ExamplePanel): string {
  const head = `<tr><th>image</th>${panel.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const rows = panel.rows.map((row) => {
    const cells = panel.columns.map((column) => {
      const map = row.maps[column];
      return map ? `<td><img alt="${escapeHtml(`${column}, ${row.id}`)}" src="${pngDataUri(labelOverlay(row.image, map))}"></td>` : '<td>–</td>';
    });
    return `<tr><td><img alt="${escapeHtml(row.id)}" src="${pngDataUri(row.image)}"></td>${cells.join('')}</tr>`;
  });
  return `<h3>${escapeHtml(panel.title)}</h3><table class="examples"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The whole report as one self-contained HTML page: charts as inline SVG, images as data URIs, no script. */
export async function renderReport(data: ReportData): Promise<string> {
  const methods = data.table.map((m) => m.method);
  const parts: string[] = [];
  parts.push(`<h1>${escapeHtml(data.title)}</h1><div class="source">${escapeHtml(data.source)}</div>`);
  parts.push(`<h2>Seen, unseen and harmonic mIoU (%)</h2>${resultsTableHtml(data.table, columnsOf(data.table, data.columns))}`);
  if (data.notes.length) parts.push(`<ul class="notes">${data.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
  if (data.perClassIoU.length) {
    parts.push('<h2>Per-class IoU</h2>');
    parts.push(await chartFigure('IoU of each class for each method’s final model (mean over seeds); unseen classes on the right.', perClassIouChart(data.perClassIoU, methods, data.classes.map((c) => c.name))));
  }
  if (data.curves.length) {
    parts.push('<h2>Training curves</h2>');
    parts.push(await chartFigure('Training loss of every stage of the first seed (a stage shared by several methods appears once).', trainingCurvesChart(data.curves)));
  }
  if (data.quality.length) {
    parts.push('<h2>Pseudo-label quality</h2>');
    parts.push(await chartFigure('Per round, on the whole training set against the hidden labels (mean over seeds).', pseudoLabelQualityChart(data.quality)));
  }
  if (data.classQuality.length) {
    parts.push('<h3>Pseudo-label quality per unseen class</h3>');
    const caption = 'Per unseen class and round (mean over seeds): precision = correct / labelled with the class, coverage = correct / pixels of the class, IoU = correct / (labelled + pixels − correct).';
    parts.push(await chartFigure(caption, perClassQualityChart(data.classQuality)));
  }
  if (data.examples.length) {
    parts.push('<h2>Examples</h2>');
    parts.push(classLegend(data.classes));
    for (const panel of data.examples) parts.push(examplePanel(panel));
  }
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title><style>${REPORT_CSS}</style></head>
<body>
${parts.join('\n')}
</body></html>
`;
}
