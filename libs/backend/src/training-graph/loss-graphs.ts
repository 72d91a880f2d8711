import { ZlsError } from '@zls/core';
import type { GradientContext } from './gradient-context';
import { nearestLabelIndices } from './label-grid';

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

/**
 * The same loss on NCHW scores [N, K, H, W] (the value before a network's final NHWC transpose), written out over
 * the class axis in place: max, exp, sum (three passes), then dScores = (softmax − onehot)·valid / count with the
 * one-hot as Equal(label, k). onnxruntime's SoftmaxCrossEntropyLoss and a ScatterElements gradient took 3× as
 * long here: both move the class axis last and back.
 */
export function emitMaskedCrossEntropyNchw(ctx: GradientContext, scores: string, labels: string): { loss: string; dScores: string } {
  const g = ctx.g;
  const [n, k, h, w] = ctx.shape(scores);
  const isValid = g.op('Greater', [labels, ctx.constInt64([-1])]);
  const valid = g.op('Cast', [isValid], { to: 1 });
  const count = g.op('Max', [g.op('ReduceSum', [valid], { keepdims: 0 }), ctx.scalar(1)]);
  const shifted = g.op('Sub', [scores, g.op('ReduceMax', [scores], { axes: [1], keepdims: 1 })]);
  const exp = g.op('Exp', [shifted]);
  const sumExp = ctx.reduceSum(exp, [1], true);
  const label = ctx.reshape(labels, [n, 1, h, w]);
  // −log p(label) = log Σ exp − shifted[label]; an ignored pixel's label (−1) is gathered as class 0, then weighted 0.
  const atLabel = g.op('GatherElements', [shifted, g.op('Max', [label, ctx.constInt64([0])])], { axis: 1 });
  const nll = ctx.reshape(g.op('Sub', [g.op('Log', [sumExp]), atLabel]), [n, h, w]);
  const loss = g.op('Div', [g.op('ReduceSum', [g.op('Mul', [nll, valid])], { keepdims: 0 }), count]);
  const weight = ctx.reshape(g.op('Div', [valid, count]), [n, 1, h, w]);
  const classes = g.temp('ce_classes');
  g.addInt64Initializer(classes, Array.from({ length: k }, (_, i) => i));
  const onehot = g.op('Cast', [g.op('Equal', [label, ctx.reshape(classes, [1, k, 1, 1])])], { to: 1 });
  const softmax = g.op('Div', [exp, sumExp]);
  return { loss, dScores: g.op('Mul', [g.op('Sub', [softmax, onehot]), weight]) };
}

/**
 * SPNet's multi-scale loss (method.md §4.1): Σ_k of the masked cross-entropy of NCHW scores_k [N, K, h_k, w_k]
 * against the labels [N, H, W] (int64, −1 ignored) resized nearest to (h_k, w_k) by OpenCV's rule
 * (label-grid.ts; two Gathers with constant indices, once per distinct grid). Each term is the mean over its own
 * valid pixels, as each of the reference's CrossEntropyLoss calls is. Returns the loss and each term's gradient.
 */
export function emitMultiScaleCrossEntropy(
  ctx: GradientContext,
  scores: readonly string[],
  labels: string,
  labelDims: readonly [number, number, number],
): { loss: string; seeds: { value: string; dScores: string }[] } {
  const g = ctx.g;
  const [n, h, w] = labelDims;
  const grids = new Map<string, string>();
  const losses: string[] = [];
  const seeds: { value: string; dScores: string }[] = [];
  for (const value of scores) {
    const dims = ctx.shape(value);
    if (dims.length !== 4 || dims[0] !== n) throw new ZlsError(`training graph: a multi-scale term reads NCHW scores [${n}, K, h, w]; '${value}' is [${dims}]`);
    const [, , sh, sw] = dims;
    const key = `${sh}x${sw}`;
    let resized = grids.get(key);
    if (!resized) {
      resized = labels;
      if (sh !== h) resized = g.op('Gather', [resized, ctx.constInt64(nearestLabelIndices(h, sh))], { axis: 1 });
      if (sw !== w) resized = g.op('Gather', [resized, ctx.constInt64(nearestLabelIndices(w, sw))], { axis: 2 });
      grids.set(key, resized);
    }
    const term = emitMaskedCrossEntropyNchw(ctx, value, resized);
    losses.push(term.loss);
    seeds.push({ value, dScores: term.dScores });
  }
  return { loss: losses.length === 1 ? losses[0] : g.op('Sum', losses), seeds };
}

/** loss = Σ value·weights with a fed weight tensor: a linear probe whose gradient is the weights (tests). */
export function emitWeightedSum(ctx: GradientContext, value: string, weights: string): { loss: string; dScores: string } {
  const loss = ctx.g.op('ReduceSum', [ctx.g.op('Mul', [value, weights])], { keepdims: 0 });
  return { loss, dScores: weights };
}
