import { ZlsError } from '@zls/core';
import type { GradientRule } from '../gradient-context';

/**
 * MaxPool: each output's gradient goes to the input position that won its window. The forward rewrite adds
 * MaxPool's Indices output (positions in the flattened input); ScatterElements with add sums windows that
 * share a winner.
 */
export const maxPoolGradient: GradientRule = (ctx, node, [dy], needs) => {
  if (!dy || !needs[0]) return [undefined];
  const indices = node.outputs[1];
  if (!indices) throw new ZlsError(`training graph: MaxPool '${node.name}' has no Indices output to route its gradient`);
  const xShape = ctx.shape(node.inputs[0]);
  const size = xShape.reduce((a, b) => a * b, 1);
  const zeros = ctx.g.op('ConstantOfShape', [ctx.constInt64([size])]);
  const flat = ctx.g.op('ScatterElements', [zeros, ctx.reshape(indices, [-1]), ctx.reshape(dy, [-1])], { axis: 0, reduction: 'add' });
  return [ctx.reshape(flat, xShape)];
};

export const globalAveragePoolGradient: GradientRule = (ctx, node, [dy], needs) => {
  if (!dy || !needs[0]) return [undefined];
  const xShape = ctx.shape(node.inputs[0]);
  const count = xShape.slice(2).reduce((a, b) => a * b, 1);
  return [ctx.g.op('Expand', [ctx.g.op('Mul', [dy, ctx.scalar(1 / count)]), ctx.constInt64(xShape)])];
};

export const reduceMeanGradient: GradientRule = (ctx, node, [dy], needs) => {
  if (!dy || !needs[0]) return [undefined];
  const xShape = ctx.shape(node.inputs[0]);
  const rank = xShape.length;
  const axes = ((node.attrs['axes'] as number[] | undefined) ?? xShape.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  const kept = xShape.map((d, i) => (axes.includes(i) ? 1 : d));
  const count = axes.reduce((a, i) => a * xShape[i], 1);
  const scaled = ctx.g.op('Mul', [ctx.reshape(dy, kept), ctx.scalar(1 / count)]);
  return [ctx.g.op('Expand', [scaled, ctx.constInt64(xShape)])];
};

/**
 * AveragePool without padding (the only form the models emit): the transposed convolution of dy with a
 * per-channel filter of 1/k².
 */
export const averagePoolGradient: GradientRule = (ctx, node, [dy], needs) => {
  if (!dy || !needs[0]) return [undefined];
  const pads = node.attrs['pads'] as number[] | undefined;
  if (pads && pads.some((p) => p !== 0)) throw new ZlsError(`training graph: AveragePool '${node.name}' is padded; only unpadded pooling is differentiated`);
  const [kh, kw] = node.attrs['kernel_shape'] as number[];
  const strides = (node.attrs['strides'] as number[] | undefined) ?? [1, 1];
  const [, c, h, w] = ctx.shape(node.inputs[0]);
  const [, , oh, ow] = ctx.shape(node.outputs[0]);
  const filter = ctx.constFloat(new Float32Array(c * kh * kw).fill(1 / (kh * kw)), [c, 1, kh, kw]);
  const outPad = [h - (strides[0] * (oh - 1) + kh), w - (strides[1] * (ow - 1) + kw)];
  return [ctx.g.op('ConvTranspose', [dy, filter], { kernel_shape: [kh, kw], strides, group: c, output_padding: outPad })];
};
