import { ZlsError } from '@zls/core';
import type { OnnxGraphBuilder } from '../onnx/onnx-graph-builder';

export interface MmdLossDims {
  /** Independent MMD terms (ZS3Net: one per seen class), averaged. */
  groups: number;
  /** Rows of x and of y per group. */
  n: number;
  m: number;
  /** Feature size. */
  dim: number;
}

/**
 * Writes ZS3Net's loss into a forward graph: the mean over groups of the squared MMD with a sum of Gaussian
 * kernels, mean K(x, x') + mean K(y, y') − 2 mean K(x, y), K(a, b) = Σ_σ exp(−‖a − b‖² / (2σ²)), the same
 * formula and the same expansion ‖a‖² + ‖b‖² − 2a·b (clamped at 0) as libs/models/src/zs3net/mmd-loss.ts.
 * x holds groups·n rows (group-major, [groups·n, dim] or [groups, n, dim]), y groups·m. Returns the scalar
 * loss. It is made of ordinary ops (MatMul, ReduceSum, Exp, Relu, ...) so a training graph differentiates
 * it with the op rules and a `scalar` loss, with no MMD-specific gradient to keep in step.
 */
export function emitMmdLoss(g: OnnxGraphBuilder, x: string, y: string, dims: MmdLossDims, sigmas: readonly number[]): string {
  if (sigmas.length === 0) throw new ZlsError('MMD loss graph: no kernel bandwidth');
  const { groups, n, m, dim } = dims;
  const shape = (name: string, values: number[]) => {
    const s = g.temp(name);
    g.addInt64Initializer(s, values);
    return s;
  };
  const float = (name: string, values: number[], d: number[]) => {
    const s = g.temp(name);
    g.addInitializer(s, Float32Array.from(values), d);
    return s;
  };
  const lastAxis = shape('mmd_axis', [2]);
  const two = float('mmd_two', [2], []);
  // −1/(2σ²) per bandwidth on a leading axis, so one Exp covers every kernel.
  const coefficients = float('mmd_coefficients', sigmas.map((s) => -1 / (2 * s * s)), [sigmas.length, 1, 1, 1]);
  const kernelAxis = shape('mmd_kernel_axis', [0]);
  const xs = g.op('Reshape', [x, shape('mmd_x_shape', [groups, n, dim])]);
  const ys = g.op('Reshape', [y, shape('mmd_y_shape', [groups, m, dim])]);
  const squaredNorms = (a: string) => g.op('ReduceSum', [g.op('Mul', [a, a]), lastAxis], { keepdims: 1 });
  const meanKernel = (a: string, b: string, na: number, nb: number): string => {
    const aa = squaredNorms(a);
    const bb = g.op('Transpose', [squaredNorms(b)], { perm: [0, 2, 1] });
    const ab = g.op('MatMul', [a, g.op('Transpose', [b], { perm: [0, 2, 1] })]);
    // Clamp: the expanded form can go slightly negative by rounding.
    const d2 = g.op('Relu', [g.op('Sub', [g.op('Add', [aa, bb]), g.op('Mul', [ab, two])])]);
    const scaled = g.op('Mul', [g.op('Reshape', [d2, shape('mmd_d2_shape', [1, groups, na, nb])]), coefficients]);
    const k = g.op('ReduceSum', [g.op('Exp', [scaled]), kernelAxis], { keepdims: 0 });
    return g.op('ReduceMean', [k], { axes: [1, 2], keepdims: 0 });
  };
  const xx = meanKernel(xs, xs, n, n);
  const yy = meanKernel(ys, ys, m, m);
  const xy = meanKernel(xs, ys, n, m);
  const perGroup = g.op('Sub', [g.op('Add', [xx, yy]), g.op('Mul', [xy, two])]);
  return g.op('ReduceMean', [perGroup], { axes: [0], keepdims: 0 });
}
