import { escapeHtml } from './escape-html';
import { renderReport } from './render-report';
import type { ReportData } from './report-data';

const stat = (mean: number, std = 0, n = 1) => ({ mean, std, n });

function data(): ReportData {
  const image = { data: new Uint8Array(4 * 4 * 3).fill(120), height: 4, width: 4 };
  const map = { data: new Uint8Array(16).fill(1), height: 4, width: 4 };
  return {
    title: 'Ablation "x"',
    source: '/runs/x',
    table: [
      { method: 'SPNet', seeds: [0, 1], seen: stat(60, 1, 2), unseen: stat(0.1, 0.1, 2), harmonic: stat(0.2, 0.1, 2) },
      { method: 'STRICT <2r>', seeds: [0, 1], seen: stat(63, 1, 2), unseen: stat(29.6, 2, 2), harmonic: stat(40.3, 1, 2) },
    ],
    notes: ['SPNet-c: γ = 0.85'],
    classes: [
      { index: 0, name: 'red circle', role: 'unseen' },
      { index: 1, name: 'blue circle', role: 'seen' },
    ],
    perClassIoU: [
      { method: 'SPNet', className: 'blue circle', role: 'seen', iou: 50 },
      { method: 'STRICT <2r>', className: 'red circle', role: 'unseen', iou: 30 },
    ],
    curves: [0, 1, 2].map((step) => ({ series: 'SPNet · spnet', step, loss: 1 / (step + 1) })),
    quality: [{ method: 'STRICT <2r>', round: 1, precisionOnUnseen: 90, coverage: 60 }],
    classQuality: [
      { method: 'STRICT <2r>', round: 1, className: 'red circle', precision: 90, coverage: 60, iou: 56 },
      { method: 'STRICT <2r>', round: 1, className: 'green square', precision: null, coverage: 0, iou: 0 },
    ],
    examples: [{ title: 'Evaluation', columns: ['ground truth', 'SPNet'], rows: [{ id: 'img&1', image, maps: { 'ground truth': map, SPNet: undefined } }] }],
  };
}

describe('escapeHtml', () => {
  it('escapes every character with a meaning in HTML', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('renderReport', () => {
  it('writes one self-contained page: table, four inline SVG charts, images as data URIs, no script', async () => {
    const html = await renderReport(data());
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect((html.match(/<figure class="chart"><svg/g) ?? []).length).toBe(4);
    // The image, then the ground truth overlay; the missing prediction is a dash, not a broken image.
    expect((html.match(/<img [^>]*src="data:image\/png;base64,/g) ?? []).length).toBe(2);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//); // nothing is fetched from elsewhere
    // Method names are user text: escaped, and the best value of each column is bold.
    expect(html).toContain('STRICT &lt;2r&gt;');
    expect(html).not.toContain('STRICT <2r>');
    expect(html).toContain('<td class="best">29.6 ± 2.0</td>');
    expect(html).toContain('γ = 0.85');
  });

  it('shows per-class pseudo-label quality under the overall quality chart, with the class names', async () => {
    const html = await renderReport(data());
    const overall = html.indexOf('<h2>Pseudo-label quality</h2>');
    const perClass = html.indexOf('<h3>Pseudo-label quality per unseen class</h3>');
    expect(overall).toBeGreaterThan(-1);
    expect(perClass).toBeGreaterThan(overall);
    expect(perClass).toBeLessThan(html.indexOf('<h2>Examples</h2>'));
    const section = html.slice(perClass, html.indexOf('</figure>', perClass));
    expect(section).toContain('<svg');
    for (const text of ['red circle', 'green square', 'precision', 'coverage', 'IoU']) expect(section).toContain(text);
  });

  it('leaves out the sections it has no data for', async () => {
    const html = await renderReport({ ...data(), perClassIoU: [], curves: [], quality: [], classQuality: [], examples: [] });
    expect(html).not.toContain('<figure');
    expect(html).not.toContain('Examples');
  });
});
