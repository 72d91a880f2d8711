import { Evaluator } from './evaluator';
import { formatMetricsTable, formatSummaryLine } from './format-table';
import { metricsReportFromJson, metricsReportToJson } from './metrics-report';
import { ConfusionMatrix } from './confusion-matrix';
import { computeScores } from './scores';
import { labelMap, simpleSpace } from './testing/fake-class-space';

// classes: c0, c1 seen; c2, c3 unseen; c3 never appears (NaN IoU).
const space = simpleSpace(4, [2, 3]);
function report() {
  const ev = new Evaluator(space);
  ev.add(labelMap([0, 0, 1, 1, 2, 2, 255]), labelMap([0, 0, 0, 1, 1, 2, 255]));
  return ev.report({ includeConfusion: true });
}

describe('MetricsReport JSON', () => {
  it('writes NaN as null and reads it back as NaN; the rest round-trips exactly', () => {
    const r = report();
    expect(r.classes[3].iou).toBeNaN();
    const text = metricsReportToJson(r);
    const raw = JSON.parse(text);
    expect(raw.classes[3].iou).toBeNull();
    expect(raw.classes[3].precision).toBeNull();
    expect(raw.mIoU.unseen).toBe(r.mIoU.unseen);
    const back = metricsReportFromJson(text);
    expect(back).toEqual(r);
  });

  it('the stored confusion matrix reproduces the scores', () => {
    const r = report();
    if (!r.confusion) throw new Error('report without confusion matrix');
    const cm = ConfusionMatrix.fromJSON(r.confusion);
    expect(computeScores(cm, space).mIoU).toEqual(r.mIoU);
  });

  it('names the source of unreadable reports', () => {
    expect(() => metricsReportFromJson('{', 'm.json')).toThrow(/m.json: not JSON/);
    expect(() => metricsReportFromJson('{"a":1}', 'm.json')).toThrow(/m.json: not a metrics report/);
  });
});

describe('formatMetricsTable', () => {
  it('has a row per class with its role, the group metrics, and the summary line', () => {
    const r = report();
    const text = formatMetricsTable(r);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^idx\s+class\s+role\s+IoU\s+acc\s+prec\s+gt px\s+pred px$/);
    // c0: TP 2, GT 3, pred 2 → IoU 2/3; c3 has neither → n/a
    expect(text).toMatch(/\n0\s+c0\s+seen\s+66\.67\s+66\.67\s+100\.00\s+3\s+2\n/);
    expect(text).toMatch(/\n3\s+c3\s+unseen\s+n\/a\s+n\/a\s+n\/a\s+0\s+0\n/);
    expect(lines.at(-1)).toBe(formatSummaryLine(r));
    // S = (2/3 + 1/3) / 2 = 50 %, U = IoU(c2) = 1/2, H = 50 %
    expect(lines.at(-1)).toBe('mIoU seen 50.00 | unseen 50.00 | harmonic 50.00');
    expect(text).toMatch(/\nmIoU\s+50\.00\s+50\.00\s+50\.00\s+50\.00\n/);
    expect(text).toContain('test-4: 1 image(s), 6 scored pixel(s), 1 ignored, original resolution, spnet NaN convention');
  });
});
