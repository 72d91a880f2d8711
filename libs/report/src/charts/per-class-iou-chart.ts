import type { TopLevelSpec } from 'vega-lite';
import type { ClassIoU } from '../html/report-data';

/** Grouped bars of IoU per class and method, seen and unseen classes in separate panels. */
export function perClassIouChart(points: readonly ClassIoU[], methods: readonly string[], classOrder: readonly string[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values: points.map((p) => ({ ...p, role: p.role === 'seen' ? 'seen classes' : 'unseen classes' })) },
    facet: { column: { field: 'role', type: 'nominal', title: null, sort: ['seen classes', 'unseen classes'] } },
    resolve: { scale: { x: 'independent' } },
    spec: {
      // The step is per bar (class × method): about 36 px per class whatever the number of methods.
      width: { step: Math.max(3, Math.floor(36 / Math.max(1, methods.length))) },
      height: 220,
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'className', type: 'nominal', title: null, sort: [...classOrder], axis: { labelAngle: -45 } },
        xOffset: { field: 'method', type: 'nominal', sort: [...methods] },
        y: { field: 'iou', type: 'quantitative', title: 'IoU (%)', scale: { domain: [0, 100] } },
        color: { field: 'method', type: 'nominal', sort: [...methods], legend: { title: 'method', orient: 'bottom', columns: 4, labelLimit: 0 } },
        tooltip: [{ field: 'method' }, { field: 'className', title: 'class' }, { field: 'iou', format: '.1f' }],
      },
    },
  };
}
