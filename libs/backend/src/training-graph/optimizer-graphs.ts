import type { GradientContext } from './gradient-context';

export type OptimizerSpec = { kind: 'sgd'; momentum: number } | { kind: 'adam'; beta1: number; beta2: number; epsilon: number };

/** A trainable parameter's update settings: a learning-rate multiplier and coupled L2 weight decay. */
export interface ParameterSpec {
  name: string;
  lrMultiplier: number;
  weightDecay: number;
}

/** One value carried from step to step: fed as `input`, returned as `output`. */
export interface StateSlot {
  input: string;
  output: string;
  dims: number[];
}

/** Scalar inputs of every training graph: the step's learning rate and Adam's bias corrections 1 − βᵗ. */
export const LR_INPUT = 'zls_lr';
export const ADAM_C1_INPUT = 'zls_adam_c1';
export const ADAM_C2_INPUT = 'zls_adam_c2';

/**
 * PyTorch's update rules with coupled weight decay, as the tfjs optimisers (libs/engine/src/optim) apply them:
 * SGD: g ← g + λw; b ← μb + g; w ← w − lr·m·b (a zero initial buffer gives PyTorch's b = g first step).
 * Adam: m ← β1m + (1−β1)g; v ← β2v + (1−β2)g²; w ← w − lr·m·(m/c1)/(√(v/c2) + ε).
 * Returns the state slots the update reads and writes (the parameter's own slot included).
 */
export function emitUpdate(ctx: GradientContext, p: ParameterSpec, grad: string, optimizer: OptimizerSpec): StateSlot[] {
  const g = ctx.g;
  const dims = ctx.shape(p.name);
  const decayed = p.weightDecay ? g.op('Add', [grad, g.op('Mul', [p.name, ctx.scalar(p.weightDecay)])]) : grad;
  const lr = p.lrMultiplier === 1 ? LR_INPUT : g.op('Mul', [LR_INPUT, ctx.scalar(p.lrMultiplier)]);
  const next = `${p.name}__next`;
  if (optimizer.kind === 'sgd') {
    const buffer = `${p.name}__momentum`;
    g.addInput(buffer, dims);
    const nextBuffer = `${buffer}__next`;
    g.addNode('Add', [g.op('Mul', [buffer, ctx.scalar(optimizer.momentum)]), decayed], [nextBuffer]);
    g.addNode('Sub', [p.name, g.op('Mul', [nextBuffer, lr])], [next]);
    return [
      { input: p.name, output: next, dims },
      { input: buffer, output: nextBuffer, dims },
    ];
  }
  const m = `${p.name}__adam_m`;
  const v = `${p.name}__adam_v`;
  g.addInput(m, dims).addInput(v, dims);
  const nextM = `${m}__next`;
  const nextV = `${v}__next`;
  g.addNode('Add', [g.op('Mul', [m, ctx.scalar(optimizer.beta1)]), g.op('Mul', [decayed, ctx.scalar(1 - optimizer.beta1)])], [nextM]);
  g.addNode('Add', [g.op('Mul', [v, ctx.scalar(optimizer.beta2)]), g.op('Mul', [g.op('Mul', [decayed, decayed]), ctx.scalar(1 - optimizer.beta2)])], [nextV]);
  const denom = g.op('Add', [g.op('Sqrt', [g.op('Div', [nextV, ADAM_C2_INPUT])]), ctx.scalar(optimizer.epsilon)]);
  const step = g.op('Div', [g.op('Div', [nextM, ADAM_C1_INPUT]), denom]);
  g.addNode('Sub', [p.name, g.op('Mul', [step, lr])], [next]);
  return [
    { input: p.name, output: next, dims },
    { input: m, output: nextM, dims },
    { input: v, output: nextV, dims },
  ];
}
