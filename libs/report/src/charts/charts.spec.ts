import { perClassIouChart } from './per-class-iou-chart';
import { perClassQualityChart } from './per-class-quality-chart';
import { pseudoLabelQualityChart } from './pseudo-label-quality-chart';
import { trainingCurvesChart } from './training-curves-chart';
import { vegaLiteToSvg } from './vega-svg';

const bars = (svg: string) => (svg.match(/aria-roledescription="bar"/g) ?? []).length;

describe('charts rendered to SVG by Vega-Lite', () => {
  it('draws one bar per method and class, seen and unseen classes in separate panels', async () => {
    const points = ['a', 'b', 'c'].flatMap((className, i) =>
      ['SPNet', 'STRICT'].map((method, m) => ({ method, className, role: i < 2 ? ('seen' as const) : ('unseen' as const), iou: 10 * (i + m) })),
    );
    const svg = await vegaLiteToSvg(perClassIouChart(points, ['SPNet', 'STRICT'], ['a', 'b', 'c']));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(bars(svg)).toBe(6);
    expect(svg).toContain('seen classes');
    expect(svg).toContain('unseen classes');
  });

  it('draws two bars (precision, coverage) per method and round', async () => {
    const svg = await vegaLiteToSvg(
      pseudoLabelQualityChart([
        { method: 'ST', round: 1, precisionOnUnseen: 80, coverage: 79 },
        { method: 'STRICT', round: 1, precisionOnUnseen: 91, coverage: 60 },
        { method: 'STRICT', round: 2, precisionOnUnseen: 87, coverage: 62 },
      ]),
    );
    expect(bars(svg)).toBe(6);
    expect(svg).toContain('STRICT · round 2');
  });

  it('draws precision, coverage and IoU bars per unseen class and labeller, leaving out undefined values', async () => {
    const svg = await vegaLiteToSvg(
      perClassQualityChart([
        { method: 'ST', round: 1, className: 'cat', precision: 80, coverage: 40, iou: 36 },
        { method: 'STRICT', round: 1, className: 'cat', precision: 95, coverage: 30, iou: 29 },
        { method: 'ST', round: 1, className: 'dog', precision: null, coverage: 0, iou: 0 },
        { method: 'STRICT', round: 1, className: 'dog', precision: 50, coverage: 10, iou: 9 },
      ]),
    );
    expect(bars(svg)).toBe(4 * 3 - 1);
    for (const text of ['precision', 'coverage', 'IoU', 'cat', 'dog', 'STRICT · round 1']) expect(svg).toContain(text);
  });

  it('draws one line per stage', async () => {
    const points = ['spnet', 'round-1'].flatMap((series) => Array.from({ length: 30 }, (_, step) => ({ series, step, loss: 2 / (step + 1) })));
    const svg = await vegaLiteToSvg(trainingCurvesChart(points, 5));
    expect((svg.match(/aria-roledescription="line mark"/g) ?? []).length).toBe(2);
    expect(svg).toContain('round-1');
  });
});
