import { ZlsError } from '@zls/core';
import type { GradientRule } from '../gradient-context';

/**
 * Relu: dy where the output is positive (the output, not the input, so the input can be freed early), as dy times
 * a 0/1 mask: onnxruntime's Where with a scalar operand takes 2–3× as long as Cast + Mul.
 */
export const reluGradient: GradientRule = (ctx, node, [dy], needs) => {
  if (!dy || !needs[0]) return [undefined];
  const positive = ctx.g.op('Greater', [node.outputs[0], ctx.scalar(0)]);
  return [ctx.g.op('Mul', [dy, ctx.g.op('Cast', [positive], { to: 1 })])];
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

/**
 * Max of operands of one shape (SPNet's max over its scales' scores): dy goes to the first operand that equals
 * the output and to no other, the rule of a chain of tfjs maximum(a, b) (ties to a) and of torch.max over a
 * stack. Broadcasting operands are refused.
 */
export const maxGradient: GradientRule = (ctx, node, [dy], needs) => {
  if (!dy) return node.inputs.map(() => undefined);
  const y = node.outputs[0];
  const yShape = ctx.shape(y).join();
  for (const x of node.inputs) {
    if (ctx.shape(x).join() !== yShape) throw new ZlsError(`training graph: Max '${node.name}' broadcasts [${ctx.shape(x)}] to [${yShape}]; only operands of the output's shape are differentiated`);
  }
  const g = ctx.g;
  let taken: string | undefined;
  return node.inputs.map((x, i) => {
    const hit = g.op('Equal', [x, y]);
    const first = taken ? g.op('And', [hit, g.op('Not', [taken])]) : hit;
    if (i < node.inputs.length - 1) taken = taken ? g.op('Or', [taken, hit]) : hit;
    return needs[i] ? g.op('Where', [first, dy, ctx.scalar(0)]) : undefined;
  });
};
