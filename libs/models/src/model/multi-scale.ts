import type * as tf from '@tensorflow/tfjs';
import type { OnnxGraphBuilder } from '@zls/backend';
import { ConfigError, ZlsError, type ConfigIssue, type ModelGeometry, type SegmentationModel, type TrainableVariable } from '@zls/core';
import type { SegmentationNet } from './segmentation-net';

/**
 * SPNet's multi-scale inputs (the reference's MSC wrapper, method.md §4.1; `model.multiScale` in a config).
 * Training: the network also runs on the input bilinearly resized (half-pixel, the reference's
 * align_corners=False) by each scale to floor(size · scale) (the reference's int()); the loss sums one masked
 * cross-entropy per scale's scores on its own score grid and, with `max`, one on their element-wise max on the
 * scale-1 grid (the other scales' scores resized there bilinearly, half-pixel), each against the labels resized
 * nearest to that grid. Test (`test: max`): the max-fused scores, upsampled to the input as usual.
 */
export interface MultiScaleOptions {
  /** Input scales, in the order the branches run; 1 is among them. */
  readonly scales: readonly number[];
  /** Add the cross-entropy of the element-wise max over the scales. */
  readonly max: boolean;
  /** How the supervised model is evaluated: on the max over the scales (the reference) or single-scale. */
  readonly test: 'max' | 'single-scale';
}

/** The reference's setting: scales {1, 0.5, 0.75} plus the max, four cross-entropy terms; max-fused test. */
export const REFERENCE_MULTI_SCALE: MultiScaleOptions = { scales: [1, 0.5, 0.75], max: true, test: 'max' };

/** A config's `multiScale` with defaults filled in and checked (the schema checks config files; this, code). */
export function resolveMultiScale(config: Partial<MultiScaleOptions> | undefined, path = 'model.multiScale'): MultiScaleOptions | undefined {
  if (config === undefined || config === null) return undefined;
  const scales = config.scales ?? REFERENCE_MULTI_SCALE.scales;
  const issues: ConfigIssue[] = [];
  if (!Array.isArray(scales) || scales.length === 0) issues.push({ path: `${path}.scales`, message: 'must be a non-empty list of positive numbers' });
  else {
    if (!scales.every((s) => typeof s === 'number' && Number.isFinite(s) && s > 0)) issues.push({ path: `${path}.scales`, message: 'each value must be a positive number' });
    if (!scales.includes(1)) issues.push({ path: `${path}.scales`, message: 'must contain 1 (the full-scale input, whose grid the max is taken on)' });
    if (new Set(scales).size !== scales.length) issues.push({ path: `${path}.scales`, message: 'all elements must be unique' });
  }
  const max = config.max ?? REFERENCE_MULTI_SCALE.max;
  if (typeof max !== 'boolean') issues.push({ path: `${path}.max`, message: 'must be a boolean value' });
  const test = config.test ?? REFERENCE_MULTI_SCALE.test;
  if (test !== 'max' && test !== 'single-scale') issues.push({ path: `${path}.test`, message: 'must be one of the following values: max, single-scale' });
  if (issues.length) throw new ConfigError(issues);
  return { scales: [...scales], max, test };
}

/** The side of a scaled input: floor(size · scale), the reference's int(size * scale); 1 keeps the size. */
export function scaledSize(size: number, scale: number): number {
  const out = scale === 1 ? size : Math.floor(size * scale);
  if (out < 1) throw new ZlsError(`multi-scale: a ${size}-pixel side at scale ${scale} has no pixels left`);
  return out;
}

/** `scale` as m / 2^e with m an integer (exact: doubling a double is exact), so a graph can rebuild it exactly. */
function dyadic(scale: number): { m: number; e: number } {
  let m = scale;
  let e = 0;
  while (!Number.isInteger(m)) {
    m *= 2;
    e++;
  }
  return { m, e };
}

/**
 * x (NCHW) bilinearly resized with half-pixel centres to floor(H · scale) × floor(W · scale). With fixed sizes
 * (training graphs) the target is a constant; with symbolic ones it is computed in the graph in float64 (H · s,
 * s rebuilt exactly as m / 2^e), so it rounds exactly as the constant and the reference's Python would.
 */
export function onnxScaledInput(g: OnnxGraphBuilder, x: string, scale: number, height?: number | string, width?: number | string): string {
  const shape = g.op('Shape', [x]);
  const nc = g.op('Slice', [shape, int64(g, [0]), int64(g, [2])]);
  let hw: string;
  if (typeof height === 'number' && typeof width === 'number') hw = int64(g, [scaledSize(height, scale), scaledSize(width, scale)]);
  else {
    const { m, e } = dyadic(scale);
    let s = g.op('Cast', [int64(g, [m])], { to: 11 });
    for (let left = e; left > 0; left -= 62) s = g.op('Div', [s, g.op('Cast', [int64(g, [2 ** Math.min(left, 62)])], { to: 11 })]);
    const sides = g.op('Cast', [g.op('Slice', [shape, int64(g, [2]), int64(g, [4])])], { to: 11 });
    hw = g.op('Cast', [g.op('Floor', [g.op('Mul', [sides, s])])], { to: 7 });
  }
  const sizes = g.op('Concat', [nc, hw], { axis: 0 });
  return g.op('Resize', [x, '', '', sizes], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' });
}

function int64(g: OnnxGraphBuilder, values: number[]): string {
  const name = g.temp('zls_ms_i64');
  g.addInitializer(name, BigInt64Array.from(values.map((v) => BigInt(v))), [values.length], 'int64');
  return name;
}

/**
 * A SegmentationNet as the reference evaluates a multi-scale SPNet (eval.py on the MSC model): `forward` is the
 * max over the scales' scores on the scale-1 grid, upsampled to the input; the frozen view is that whole graph.
 * A view: it owns nothing, and disposing it leaves the net as it is.
 */
export class MultiScaleTestView implements SegmentationModel {
  readonly numClasses: number;
  readonly geometry: ModelGeometry;

  constructor(private readonly net: SegmentationNet) {
    this.numClasses = net.numClasses;
    this.geometry = net.geometry;
  }

  forward(images: tf.Tensor4D, training: boolean, classes?: readonly number[]): tf.Tensor4D {
    if (training) throw new ZlsError('the multi-scale test view evaluates; train the network itself');
    return this.net.maxFusedForward(images, classes);
  }

  trainable(): TrainableVariable[] {
    return [];
  }

  stateVariables(): Record<string, tf.Variable> {
    return this.net.stateVariables();
  }

  frozenView(threads: number): SegmentationModel | undefined {
    return this.net.frozenView(threads, true);
  }

  dispose(): void {
    // A view: the net's variables stay.
  }
}
