import { ZlsError } from '@zls/core';
import type { GradientRule } from '../gradient-context';

/** Exp: dy·y (the output, already computed by the forward). */
export const expGradient: GradientRule = (ctx, node, [dy], needs) => {
  if (!dy || !needs[0]) return [undefined];
  return [ctx.g.op('Mul', [dy, node.outputs[0]])];
};

export const negGradient: GradientRule = (ctx, _node, [dy], needs) => {
  if (!dy || !needs[0]) return [undefined];
  return [ctx.g.op('Neg', [dy])];
};

/** y = a / b: da = dy / b, db = −dy·y / b, each summed over the axes it was broadcast along. */
export const divGradient: GradientRule = (ctx, node, [dy], needs) => {
  if (!dy) return [undefined, undefined];
  const [a, b] = node.inputs;
  const g = ctx.g;
  const yShape = ctx.shape(node.outputs[0]);
  return [
    needs[0] ? ctx.unbroadcast(g.op('Div', [dy, b]), yShape, ctx.shape(a)) : undefined,
    needs[1] ? ctx.unbroadcast(g.op('Neg', [g.op('Mul', [dy, g.op('Div', [node.outputs[0], b])])]), yShape, ctx.shape(b)) : undefined,
  ];
};

/** ReduceSum-13 (axes as a constant input; none: every axis unless noop_with_empty_axes): dy spread back over the summed axes. */
export const reduceSumGradient: GradientRule = (ctx, node, [dy], needs) => {
  const out: (string | undefined)[] = node.inputs.map(() => undefined);
  if (!dy || !needs[0]) return out;
  const xShape = ctx.shape(node.inputs[0]);
  const rank = xShape.length;
  let axes: number[] = [];
  if (node.inputs[1]) {
    const given = ctx.int64Constant(node.inputs[1]);
    if (!given) throw new ZlsError(`training graph: ReduceSum '${node.name}' has run-time axes; only constant axes are differentiated`);
    axes = given;
  }
  if (axes.length === 0) {
    if (node.attrs['noop_with_empty_axes'] === 1) return [dy, undefined];
    axes = xShape.map((_, i) => i);
  }
  const reduced = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
  const kept = xShape.map((d, i) => (reduced.has(i) ? 1 : d));
  out[0] = ctx.g.op('Expand', [ctx.reshape(dy, kept), ctx.constInt64(xShape)]);
  return out;
};

/**
 * Dropout in a training graph is rewritten to y = x·mask with the mask a graph input (0 or 1/(1 − ratio),
 * drawn by the caller), so dx = dy·mask. A Dropout left in inference mode is the identity.
 */
export const dropoutGradient: GradientRule = (ctx, node, [dy], needs) => {
  const out: (string | undefined)[] = node.inputs.map(() => undefined);
  if (!dy || !needs[0]) return out;
  const mask = ctx.saved.get(node.name)?.['mask'];
  out[0] = mask ? ctx.g.op('Mul', [dy, mask]) : dy;
  return out;
};
