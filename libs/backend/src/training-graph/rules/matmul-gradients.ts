import { ZlsError } from '@zls/core';
import type { GradientContext, GradientRule } from '../gradient-context';

function swapLast(ctx: GradientContext, x: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return ctx.g.op('Transpose', [x], { perm });
}

/** MatMul of rank ≥ 2 operands (batch axes broadcast): dA = dy·Bᵀ, dB = Aᵀ·dy, summed over broadcast axes. */
export const matMulGradient: GradientRule = (ctx, node, [dy], needs) => {
  if (!dy) return [undefined, undefined];
  const [a, b] = node.inputs;
  const aShape = ctx.shape(a);
  const bShape = ctx.shape(b);
  if (aShape.length < 2 || bShape.length < 2) throw new ZlsError(`training graph: MatMul '${node.name}' has a vector operand; only matrices are differentiated`);
  const yShape = ctx.shape(node.outputs[0]);
  const da = needs[0] ? ctx.g.op('MatMul', [dy, swapLast(ctx, b, bShape.length)]) : undefined;
  const db = needs[1] ? ctx.g.op('MatMul', [swapLast(ctx, a, aShape.length), dy]) : undefined;
  const lead = yShape.slice(0, -2);
  return [
    da ? ctx.unbroadcast(da, [...lead, aShape[aShape.length - 2], aShape[aShape.length - 1]], aShape) : undefined,
    db ? ctx.unbroadcast(db, [...lead, bShape[bShape.length - 2], bShape[bShape.length - 1]], bShape) : undefined,
  ];
};

/** Gemm: y = α·op(A)·op(B) + β·C. */
export const gemmGradient: GradientRule = (ctx, node, [dy], needs) => {
  if (!dy) return node.inputs.map(() => undefined);
  const alpha = (node.attrs['alpha'] as { float: number } | undefined)?.float ?? 1;
  const beta = (node.attrs['beta'] as { float: number } | undefined)?.float ?? 1;
  const transA = node.attrs['transA'] === 1;
  const transB = node.attrs['transB'] === 1;
  const [a, b, c] = node.inputs;
  const g = ctx.g;
  const scale = (x: string, s: number) => (s === 1 ? x : g.op('Mul', [x, ctx.scalar(s)]));
  // d op(A) = α·dy·op(B)ᵀ and d op(B) = α·op(A)ᵀ·dy; a transposed operand takes the transpose of that.
  let da: string | undefined;
  if (needs[0]) da = scale(transA ? g.op('Gemm', [b, dy], { transA: transB ? 1 : 0, transB: 1 }) : g.op('Gemm', [dy, b], { transB: transB ? 0 : 1 }), alpha);
  let db: string | undefined;
  if (needs[1]) db = scale(transB ? g.op('Gemm', [dy, a], { transA: 1, transB: transA ? 1 : 0 }) : g.op('Gemm', [a, dy], { transA: transA ? 0 : 1 }), alpha);
  const dc = c && needs[2] ? ctx.unbroadcast(scale(dy, beta), ctx.shape(node.outputs[0]), ctx.shape(c)) : undefined;
  return [da, db, dc];
};
