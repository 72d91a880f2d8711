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
 * Parameters up to this many values are updated together, as one flat vector per (lr multiplier, weight decay):
 * a rule is ~16 element-wise nodes, and on a small net (the main job's: 65 tensors, 0.24 M values) onnxruntime's
 * per-node cost of ~1000 tiny nodes was a tenth of the step. Larger tensors keep their own nodes, so the
 * gathering copies stay small (ResNet-101's 2048×… filters are not copied).
 */
export const FLAT_UPDATE_MAX_VALUES = 1 << 16;

/** The buffers a rule keeps per parameter, in state order: SGD's momentum; Adam's first and second moments. */
function bufferSuffixes(optimizer: OptimizerSpec): string[] {
  return optimizer.kind === 'sgd' ? ['__momentum'] : ['__adam_m', '__adam_v'];
}

/** A parameter's value and its buffers' (momentum; Adam's moments): what a rule reads, and what it writes. */
interface RuleState {
  param: string;
  buffers: string[];
}

/**
 * PyTorch's update rules with coupled weight decay, as the tfjs optimisers (libs/engine/src/optim) apply them:
 * SGD: g ← g + λw; b ← μb + g; w ← w − lr·m·b (a zero initial buffer gives PyTorch's b = g first step).
 * Adam: m ← β1m + (1−β1)g; v ← β2v + (1−β2)g²; w ← w − lr·m·(m/c1)/(√(v/c2) + ε).
 * Element-wise, so a flat vector of several parameters gets the very values each would get alone.
 */
function emitRule(ctx: GradientContext, settings: Omit<ParameterSpec, 'name'>, v: RuleState, grad: string, optimizer: OptimizerSpec, out?: RuleState): RuleState {
  const g = ctx.g;
  const put = (opType: string, inputs: string[], name?: string) => (name ? (g.addNode(opType, inputs, [name]), name) : g.op(opType, inputs));
  const decayed = settings.weightDecay ? g.op('Add', [grad, g.op('Mul', [v.param, ctx.scalar(settings.weightDecay)])]) : grad;
  const lr = settings.lrMultiplier === 1 ? LR_INPUT : g.op('Mul', [LR_INPUT, ctx.scalar(settings.lrMultiplier)]);
  if (optimizer.kind === 'sgd') {
    const buffer = put('Add', [g.op('Mul', [v.buffers[0], ctx.scalar(optimizer.momentum)]), decayed], out?.buffers[0]);
    return { param: put('Sub', [v.param, g.op('Mul', [buffer, lr])], out?.param), buffers: [buffer] };
  }
  const [m, sq] = v.buffers;
  const nextM = put('Add', [g.op('Mul', [m, ctx.scalar(optimizer.beta1)]), g.op('Mul', [decayed, ctx.scalar(1 - optimizer.beta1)])], out?.buffers[0]);
  const nextV = put('Add', [g.op('Mul', [sq, ctx.scalar(optimizer.beta2)]), g.op('Mul', [g.op('Mul', [decayed, decayed]), ctx.scalar(1 - optimizer.beta2)])], out?.buffers[1]);
  const denom = g.op('Add', [g.op('Sqrt', [g.op('Div', [nextV, ADAM_C2_INPUT])]), ctx.scalar(optimizer.epsilon)]);
  const step = g.op('Div', [g.op('Div', [nextM, ADAM_C1_INPUT]), denom]);
  return { param: put('Sub', [v.param, g.op('Mul', [step, lr])], out?.param), buffers: [nextM, nextV] };
}

/** Adds a parameter's buffers as graph inputs and returns its state slots (the parameter's own slot first). */
function declareSlots(ctx: GradientContext, p: ParameterSpec, optimizer: OptimizerSpec): StateSlot[] {
  const dims = ctx.shape(p.name);
  const inputs = [p.name, ...bufferSuffixes(optimizer).map((s) => `${p.name}${s}`)];
  for (const name of inputs.slice(1)) ctx.g.addInput(name, dims);
  return inputs.map((input) => ({ input, output: `${input}__next`, dims }));
}

/** The update of one parameter on its own nodes. Returns its state slots (the parameter's own slot included). */
function emitUpdate(ctx: GradientContext, p: ParameterSpec, grad: string, optimizer: OptimizerSpec): StateSlot[] {
  const slots = declareSlots(ctx, p, optimizer);
  const names = (pick: (s: StateSlot) => string): RuleState => ({ param: pick(slots[0]), buffers: slots.slice(1).map(pick) });
  emitRule(ctx, p, names((s) => s.input), grad, optimizer, names((s) => s.output));
  return slots;
}

/**
 * The update of several parameters with the same settings as one flat vector: each value (parameter, gradient,
 * buffers) is flattened and concatenated, the rule runs once, and the results are split back into each
 * parameter's own outputs, so the state keeps one slot per parameter and buffer as emitUpdate's.
 */
function emitFlatUpdate(ctx: GradientContext, params: readonly ParameterSpec[], grads: readonly string[], optimizer: OptimizerSpec): StateSlot[][] {
  const g = ctx.g;
  const slots = params.map((p) => declareSlots(ctx, p, optimizer));
  const sizes = slots.map((s) => s[0].dims.reduce((a, b) => a * b, 1));
  const flat = (names: string[]) => g.op('Concat', names.map((n) => ctx.reshape(n, [-1])), { axis: 0 });
  const column = (k: number) => flat(slots.map((s) => s[k].input));
  const next = emitRule(ctx, params[0], { param: column(0), buffers: slots[0].slice(1).map((_, b) => column(b + 1)) }, flat([...grads]), optimizer);
  [next.param, ...next.buffers].forEach((value, k) => {
    const parts = slots.map((s) => `${s[k].output}__flat`);
    g.addNode('Split', [value, ctx.constInt64(sizes)], parts, { axis: 0 });
    slots.forEach((s, i) => g.addNode('Reshape', [parts[i], ctx.constInt64(s[k].dims)], [s[k].output]));
  });
  return slots;
}

/**
 * Every parameter's update: those of at most FLAT_UPDATE_MAX_VALUES values that share their settings as one flat
 * vector (emitFlatUpdate), the rest on their own nodes. Returns each parameter's state slots by name.
 *
 * The flat updates are written first, and the order matters: onnxruntime orders nodes depth-first from the graph's
 * last nodes back, so whatever is written last is scheduled first. A flat update written last pulled the whole
 * input-gradient chain (down to the first layer, whose small weights it reads) ahead of the large layers' weight
 * gradients, and every layer's dy stayed alive to the end: ResNet-101 at batch 2 peaked at 5.6 GB against 3.9 GB
 * (bench/models/bench-resnet101.ts).
 */
export function emitUpdates(ctx: GradientContext, params: readonly ParameterSpec[], grads: ReadonlyMap<string, string>, optimizer: OptimizerSpec): Map<string, StateSlot[]> {
  const slots = new Map<string, StateSlot[]>();
  const groups = new Map<string, ParameterSpec[]>();
  const large: ParameterSpec[] = [];
  for (const p of params) {
    const size = ctx.shape(p.name).reduce((a, b) => a * b, 1);
    const key = `${p.lrMultiplier}/${p.weightDecay}`;
    if (size <= FLAT_UPDATE_MAX_VALUES) groups.set(key, [...(groups.get(key) ?? []), p]);
    else large.push(p);
  }
  for (const group of groups.values()) {
    if (group.length === 1) slots.set(group[0].name, emitUpdate(ctx, group[0], grads.get(group[0].name) as string, optimizer));
    else emitFlatUpdate(ctx, group, group.map((p) => grads.get(p.name) as string), optimizer).forEach((s, i) => slots.set(group[i].name, s));
  }
  for (const p of large) slots.set(p.name, emitUpdate(ctx, p, grads.get(p.name) as string, optimizer));
  return slots;
}
