import { ZlsError } from '@zls/core';
import type { GradientContext } from './gradient-context';

/**
 * Class-weighted softmax cross-entropy, Σᵢ w[yᵢ]·(−log softmax(sᵢ)[yᵢ]) / Σᵢ w[yᵢ], on scores [..., K] with
 * labels [...] (int64, −1 = ignored, weight 0): ZS3Net's classifier retraining loss (weight 100 on unseen
 * classes; libs/models/src/zs3net/classifier-retraining.ts). Written with its closed-form gradient
 * (softmax − onehot)·w[yᵢ] / Σw, as the masked cross-entropy is (that loss is this one with unit weights).
 */
export function emitClassWeightedCrossEntropy(ctx: GradientContext, scores: string, labels: string, classWeights: readonly number[]): { loss: string; dScores: string } {
  const g = ctx.g;
  const dims = ctx.shape(scores);
  const k = dims[dims.length - 1];
  if (classWeights.length !== k) throw new ZlsError(`training graph: ${classWeights.length} class weights for scores of ${k} classes`);
  const logProbs = g.op('LogSoftmax', [scores], { axis: -1 });
  const isValid = g.op('Greater', [labels, ctx.constInt64([-1])]);
  const safe = g.op('Where', [isValid, labels, ctx.constInt64([0])]);
  const onehot = g.op('OneHot', [safe, ctx.constInt64([k]), ctx.constFloat([0, 1], [2])], { axis: -1 });
  const weight = g.op('Where', [isValid, g.op('Gather', [ctx.constFloat(classWeights, [k]), safe], { axis: 0 }), ctx.scalar(0)]);
  // The floor only matters for a batch without any weighted label, whose loss is then 0 (not 0/0).
  const total = g.op('Max', [g.op('ReduceSum', [weight], { keepdims: 0 }), ctx.scalar(1e-12)]);
  const picked = ctx.reduceSum(g.op('Mul', [logProbs, onehot]), [-1], false);
  const loss = g.op('Div', [g.op('Neg', [g.op('ReduceSum', [g.op('Mul', [picked, weight])], { keepdims: 0 })]), total]);
  const scale = g.op('Unsqueeze', [g.op('Div', [weight, total]), ctx.constInt64([-1])]);
  const dScores = g.op('Mul', [g.op('Sub', [g.op('Exp', [logProbs]), onehot]), scale]);
  return { loss, dScores };
}
