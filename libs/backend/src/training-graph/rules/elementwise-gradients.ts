import type { GradientRule } from '../gradient-context';

/** Relu: dy where the output is positive (the output, not the input, so the input can be freed early). */
export const reluGradient: GradientRule = (ctx, node, [dy], needs) => {
  if (!dy || !needs[0]) return [undefined];
  const positive = ctx.g.op('Greater', [node.outputs[0], ctx.scalar(0)]);
  return [ctx.g.op('Where', [positive, dy, ctx.scalar(0)])];
};

/** LeakyRelu with α > 0: dy where the output is positive, α·dy elsewhere. */
export const leakyReluGradient: GradientRule = (ctx, node, [dy], needs) => {
  if (!dy || !needs[0]) return [undefined];
  const alpha = (node.attrs['alpha'] as { float: number } | undefined)?.float ?? 0.01;
  const positive = ctx.g.op('Greater', [node.outputs[0], ctx.scalar(0)]);
  return [ctx.g.op('Where', [positive, dy, ctx.g.op('Mul', [dy, ctx.scalar(alpha)])])];
};

/** Add and Sum: dy to every operand, summed over the axes it was broadcast along. */
export const sumGradient: GradientRule = (ctx, node, [dy], needs) => {
  if (!dy) return node.inputs.map(() => undefined);
  const yShape = ctx.shape(node.outputs[0]);
  return node.inputs.map((x, i) => (needs[i] ? ctx.unbroadcast(dy, yShape, ctx.shape(x)) : undefined));
};

export const subGradient: GradientRule = (ctx, node, [dy], needs) => {
  if (!dy) return [undefined, undefined];
  const yShape = ctx.shape(node.outputs[0]);
  return [
    needs[0] ? ctx.unbroadcast(dy, yShape, ctx.shape(node.inputs[0])) : undefined,
    needs[1] ? ctx.unbroadcast(ctx.g.op('Neg', [dy]), yShape, ctx.shape(node.inputs[1])) : undefined,
  ];
};

export const mulGradient: GradientRule = (ctx, node, [dy], needs) => {
  if (!dy) return [undefined, undefined];
  const [a, b] = node.inputs;
  const yShape = ctx.shape(node.outputs[0]);
  return [
    needs[0] ? ctx.unbroadcast(ctx.g.op('Mul', [dy, b]), yShape, ctx.shape(a)) : undefined,
    needs[1] ? ctx.unbroadcast(ctx.g.op('Mul', [dy, a]), yShape, ctx.shape(b)) : undefined,
  ];
};
