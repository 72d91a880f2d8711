import type { TopLevelSpec } from 'vega-lite';
import type { ClassQualityPoint } from '../html/report-data';

const MEASURES = [
  { key: 'precision', title: 'precision' },
  { key: 'coverage', title: 'coverage' },
  { key: 'iou', title: 'IoU' },
] as const;

const unique = (xs: readonly string[]) => [...new Set(xs)];

/**
 * Grouped bars of each unseen class's pseudo-label precision, coverage and IoU, one panel per measure, one bar
 * per method and round: shows which classes a labeller gets right, not just its average.
 */
export function perClassQualityChart(points: readonly ClassQualityPoint[]): TopLevelSpec {
  const labeller = (p: ClassQualityPoint) => `${p.method} · round ${p.round}`;
  const labellers = unique(points.map(labeller));
  const classOrder = unique(points.map((p) => p.className));
  // An undefined value (null) is left out rather than drawn as a zero-height bar.
  const values = points.flatMap((p) =>
    MEASURES.flatMap((m) => (p[m.key] === null ? [] : [{ labeller: labeller(p), className: p.className, measure: m.title, value: p[m.key] }])),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values },
    facet: { column: { field: 'measure', type: 'nominal', title: null, sort: MEASURES.map((m) => m.title) } },
    spec: {
      // The step is per bar (class × labeller): about 36 px per class whatever the number of labellers.
      width: { step: Math.max(3, Math.floor(36 / Math.max(1, labellers.length))) },
      height: 200,
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'className', type: 'nominal', title: null, sort: classOrder, axis: { labelAngle: -45 } },
        xOffset: { field: 'labeller', type: 'nominal', sort: labellers },
        y: { field: 'value', type: 'quantitative', title: '%', scale: { domain: [0, 100] } },
        color: { field: 'labeller', type: 'nominal', sort: labellers, legend: { title: null, orient: 'bottom', columns: 4, labelLimit: 0 } },
        tooltip: [{ field: 'labeller' }, { field: 'className', title: 'class' }, { field: 'measure' }, { field: 'value', format: '.1f' }],
      },
    },
  };
}
