import type { OnnxNodeSpec } from '../../onnx/onnx-graph-builder';
import type { GradientContext, GradientRule } from '../gradient-context';

const CHANNEL_AXES = [0, 2, 3];

function epsilonOf(node: OnnxNodeSpec): number {
  return (node.attrs['epsilon'] as { float: number } | undefined)?.float ?? 1e-5;
}

/** [C] → [1, C, 1, 1], to broadcast a per-channel vector over NCHW. */
function perChannel(ctx: GradientContext, v: string, channels: number): string {
  return ctx.reshape(v, [1, channels, 1, 1]);
}

/**
 * Rewrites a BatchNormalization node for training: normalise with the batch mean and biased variance, and
 * produce the running statistics' update with the unbiased variance (PyTorch's rule; ONNX's `momentum`
 * attribute is the weight of the old value). x̂ and 1/σ are saved for the backward pass. Returns the names of
 * the updated running mean and variance.
 */
export function emitBatchNormTraining(ctx: GradientContext, node: OnnxNodeSpec): { runningMean: string; runningVar: string } {
  const g = ctx.g;
  const [x, scale, bias, mean, variance] = node.inputs;
  const xShape = ctx.shape(x);
  const channels = xShape[1];
  const count = xShape[0] * xShape[2] * xShape[3];
  const oldWeight = (node.attrs['momentum'] as { float: number } | undefined)?.float ?? 0.9;
  const mu = g.op('ReduceMean', [x], { axes: CHANNEL_AXES, keepdims: 1 });
  const centred = g.op('Sub', [x, mu]);
  const batchVar = g.op('ReduceMean', [g.op('Mul', [centred, centred])], { axes: CHANNEL_AXES, keepdims: 1 });
  const invStd = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [batchVar, ctx.scalar(epsilonOf(node))])])]);
  const xhat = g.op('Mul', [centred, invStd]);
  const scaled = g.op('Mul', [xhat, perChannel(ctx, scale, channels)]);
  g.addNode('Add', [scaled, perChannel(ctx, bias, channels)], [node.outputs[0]]);
  for (const v of [centred, xhat, scaled]) ctx.setShape(v, xShape);
  ctx.saved.set(node.name, { xhat, invStd });
  const unbiased = count > 1 ? count / (count - 1) : 1;
  const blend = (old: string, batch: string, factor: number) =>
    g.op('Add', [g.op('Mul', [old, ctx.scalar(oldWeight)]), g.op('Mul', [ctx.reshape(batch, [channels]), ctx.scalar((1 - oldWeight) * factor)])]);
  return { runningMean: blend(mean, mu, 1), runningVar: blend(variance, batchVar, unbiased) };
}

/**
 * Gradient of training-mode batch norm: dβ = Σ dy, dγ = Σ dy·x̂ over N, H, W (count m), and, since mean(dy·γ) =
 * γ·dβ/m and mean(dy·γ·x̂) = γ·dγ/m, dx = (γ/σ)·(dy − dβ/m − x̂·dγ/m): two reductions and five element-wise passes
 * over the activation instead of four and seven for the textbook (1/σ)·(g − mean(g) − x̂·mean(g·x̂)), g = dy·γ.
 */
export const batchNormTrainingGradient: GradientRule = (ctx, node, [dy], needs) => {
  const out: (string | undefined)[] = node.inputs.map(() => undefined);
  if (!dy) return out;
  const { xhat, invStd } = ctx.saved.get(node.name) as { xhat: string; invStd: string };
  const g = ctx.g;
  const [n, channels, h, w] = ctx.shape(node.inputs[0]);
  const dBeta = needs[0] || needs[2] ? ctx.reduceSum(dy, CHANNEL_AXES, true) : '';
  const dGamma = needs[0] || needs[1] ? ctx.reduceSum(g.op('Mul', [dy, xhat]), CHANNEL_AXES, true) : '';
  if (needs[0]) {
    const perCount = ctx.scalar(1 / (n * h * w));
    const centred = g.op('Sub', [g.op('Sub', [dy, g.op('Mul', [dBeta, perCount])]), g.op('Mul', [xhat, g.op('Mul', [dGamma, perCount])])]);
    out[0] = g.op('Mul', [centred, g.op('Mul', [invStd, perChannel(ctx, node.inputs[1], channels)])]);
  }
  if (needs[1]) out[1] = ctx.reshape(dGamma, [channels]);
  if (needs[2]) out[2] = ctx.reshape(dBeta, [channels]);
  return out;
};

/** Inference-mode (frozen) batch norm is per-channel affine: dx = dy·γ/√(var + ε). */
export const batchNormInferenceGradient: GradientRule = (ctx, node, [dy], needs) => {
  const out: (string | undefined)[] = node.inputs.map(() => undefined);
  if (!dy) return out;
  const g = ctx.g;
  const [x, scale, , mean, variance] = node.inputs;
  const channels = ctx.shape(x)[1];
  const invStd = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [variance, ctx.scalar(epsilonOf(node))])])]);
  if (needs[0]) out[0] = g.op('Mul', [dy, perChannel(ctx, g.op('Mul', [scale, invStd]), channels)]);
  if (needs[1]) {
    const xhat = g.op('Mul', [g.op('Sub', [x, perChannel(ctx, mean, channels)]), perChannel(ctx, invStd, channels)]);
    out[1] = ctx.reduceSum(g.op('Mul', [dy, xhat]), CHANNEL_AXES, false);
  }
  if (needs[2]) out[2] = ctx.reduceSum(dy, CHANNEL_AXES, false);
  return out;
};
