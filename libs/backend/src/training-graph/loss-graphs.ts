import type { GradientContext } from './gradient-context';

/**
 * Mean softmax cross-entropy over the pixels whose label is ≥ 0 (−1 = ignore), averaged over every valid
 * pixel of the batch, on scores [N, H, W, K] with labels [N, H, W] (int64). Writes the loss and its gradient
 * in closed form, (softmax − onehot)·valid / count, instead of differentiating the decomposition.
 */
export function emitMaskedCrossEntropy(ctx: GradientContext, scores: string, labels: string): { loss: string; dScores: string } {
  const g = ctx.g;
  const k = ctx.shape(scores)[3];
  const logProbs = g.op('LogSoftmax', [scores], { axis: -1 });
  const isValid = g.op('Greater', [labels, ctx.constInt64([-1])]);
  const safe = g.op('Where', [isValid, labels, ctx.constInt64([0])]);
  const valid = g.op('Cast', [isValid], { to: 1 });
  const onehot = g.op('OneHot', [safe, ctx.constInt64([k]), ctx.constFloat([0, 1], [2])], { axis: -1 });
  const count = g.op('Max', [g.op('ReduceSum', [valid], { keepdims: 0 }), ctx.scalar(1)]);
  const picked = ctx.reduceSum(g.op('Mul', [logProbs, onehot]), [-1], false);
  const loss = g.op('Div', [g.op('Neg', [g.op('ReduceSum', [g.op('Mul', [picked, valid])], { keepdims: 0 })]), count]);
  const weight = g.op('Unsqueeze', [g.op('Div', [valid, count]), ctx.constInt64([-1])]);
  const dScores = g.op('Mul', [g.op('Sub', [g.op('Exp', [logProbs]), onehot]), weight]);
  return { loss, dScores };
}

/** loss = Σ value·weights with a fed weight tensor: a linear probe whose gradient is the weights (tests). */
export function emitWeightedSum(ctx: GradientContext, value: string, weights: string): { loss: string; dScores: string } {
  const loss = ctx.g.op('ReduceSum', [ctx.g.op('Mul', [value, weights])], { keepdims: 0 });
  return { loss, dScores: weights };
}
