import { ZlsError } from '@zls/core';
import type { GradientRule } from '../gradient-context';

export const transposeGradient: GradientRule = (ctx, node, [dy], needs) => {
  if (!dy || !needs[0]) return [undefined];
  const perm = node.attrs['perm'] as number[] | undefined;
  if (!perm) throw new ZlsError(`training graph: Transpose '${node.name}' has no perm`);
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return [ctx.g.op('Transpose', [dy], { perm: inverse })];
};

/** Reshape, Flatten, Squeeze, Unsqueeze, Identity: the same values, so dy reshaped back. */
export const reshapeGradient: GradientRule = (ctx, node, [dy], needs) => {
  const out: (string | undefined)[] = node.inputs.map(() => undefined);
  if (dy && needs[0]) out[0] = ctx.reshape(dy, ctx.shape(node.inputs[0]));
  return out;
};

export const concatGradient: GradientRule = (ctx, node, [dy], needs) => {
  if (!dy) return node.inputs.map(() => undefined);
  const rank = ctx.shape(node.outputs[0]).length;
  const raw = node.attrs['axis'] as number;
  const axis = raw < 0 ? raw + rank : raw;
  const sizes = node.inputs.map((x) => ctx.shape(x)[axis]);
  const parts = node.inputs.map((x, i) => (needs[i] ? ctx.g.temp('dconcat') : ctx.g.temp('dconcat_unused')));
  ctx.g.addNode('Split', [dy, ctx.constInt64(sizes)], parts, { axis });
  return parts.map((p, i) => (needs[i] ? p : undefined));
};

/** Gather along one axis with constant, distinct indices: dy placed back with a 0/1 matrix product. */
export const gatherGradient: GradientRule = (ctx, node, [dy], needs) => {
  if (!dy || !needs[0]) return [undefined, undefined];
  const xShape = ctx.shape(node.inputs[0]);
  const rank = xShape.length;
  const raw = (node.attrs['axis'] as number | undefined) ?? 0;
  const axis = raw < 0 ? raw + rank : raw;
  const indices = ctx.int64Constant(node.inputs[1]);
  if (!indices) throw new ZlsError(`training graph: Gather '${node.name}' has run-time indices; only constant indices are differentiated`);
  const size = xShape[axis];
  const place = new Float32Array(indices.length * size);
  indices.forEach((k, j) => (place[j * size + (k < 0 ? k + size : k)] = 1));
  // Move the gathered axis last, multiply by the [L, D] placement matrix, move it back.
  const toLast = [...Array.from({ length: rank }, (_, i) => i).filter((i) => i !== axis), axis];
  const back = new Array<number>(rank);
  toLast.forEach((p, i) => (back[p] = i));
  const moved = ctx.g.op('Transpose', [dy], { perm: toLast });
  const placed = ctx.g.op('MatMul', [moved, ctx.constFloat(place, [indices.length, size])]);
  return [ctx.g.op('Transpose', [placed], { perm: back }), undefined];
};
