import type { TopLevelSpec } from 'vega-lite';
import type { QualityPoint } from '../html/report-data';

/** Precision on unseen-object pixels and coverage of unseen pixels, per method and round. */
export function pseudoLabelQualityChart(points: readonly QualityPoint[]): TopLevelSpec {
  const values = points.flatMap((p) => [
    { labeller: `${p.method} · round ${p.round}`, measure: 'precision on unseen px', value: p.precisionOnUnseen },
    { labeller: `${p.method} · round ${p.round}`, measure: 'coverage of unseen px', value: p.coverage },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values },
    width: { step: 36 },
    height: 220,
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'labeller', type: 'nominal', title: null, sort: null, axis: { labelAngle: -30 } },
      xOffset: { field: 'measure', type: 'nominal' },
      y: { field: 'value', type: 'quantitative', title: '%', scale: { domain: [0, 100] } },
      color: { field: 'measure', type: 'nominal', legend: { title: null, orient: 'bottom', labelLimit: 0 } },
      tooltip: [{ field: 'labeller' }, { field: 'measure' }, { field: 'value', format: '.1f' }],
    },
  };
}
