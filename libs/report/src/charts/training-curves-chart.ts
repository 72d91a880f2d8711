import type { TopLevelSpec } from 'vega-lite';
import type { CurvePoint } from '../html/report-data';

/** Training loss per stage against its step, smoothed by a centred moving average (raw losses are noisy). */
export function trainingCurvesChart(points: readonly CurvePoint[], window = 25): TopLevelSpec {
  const half = Math.floor(window / 2);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values: [...points] },
    width: 640,
    height: 240,
    transform: [
      { window: [{ op: 'mean', field: 'loss', as: 'smoothed' }], frame: [-half, half], groupby: ['series'], sort: [{ field: 'step' }] },
    ],
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: 'smoothed', type: 'quantitative', title: `loss (moving mean of ${window})` },
      color: { field: 'series', type: 'nominal', legend: { title: 'stage', orient: 'right', labelLimit: 0 } },
    },
  };
}
