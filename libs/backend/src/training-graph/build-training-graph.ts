import { ZlsError } from '@zls/core';
import { OnnxGraphBuilder, type OnnxGraphIR, type OnnxNodeSpec } from '../onnx/onnx-graph-builder';
import { GradientContext } from './gradient-context';
import { emitClassWeightedCrossEntropy } from './classifier-loss-graph';
import { emitMaskedCrossEntropy, emitMaskedCrossEntropyNchw, emitMultiScaleCrossEntropy, emitWeightedSum } from './loss-graphs';
import { ADAM_C1_INPUT, ADAM_C2_INPUT, emitUpdates, LR_INPUT, type OptimizerSpec, type ParameterSpec, type StateSlot } from './optimizer-graphs';
import { fuseConstantProjections } from './fuse-projections';
import { emitConvolution } from './nchwc-convolution';
import { probeShapes } from './probe-shapes';
import { batchNormTrainingGradient, emitBatchNormTraining } from './rules/batch-norm-gradients';
import { GRADIENT_RULES } from './rules/gradient-rules';
import { valueTypes } from './value-types';

/**
 * What the graph minimises: the masked cross-entropy of a scores output; SPNet's multi-scale loss, the sum of
 * one masked cross-entropy per NCHW scores value [N, K, h, w], each against the labels [N, H, W] (`labelDims`)
 * resized nearest to its grid (label-grid.ts); the class-weighted cross-entropy of scores [..., K] (labels fed
 * like the masked one's); a scalar the forward graph computes itself (e.g. the MMD of mmd-loss-graph.ts),
 * differentiated by the op rules from dL/dL = 1; or (for tests) Σ value·weights.
 */
export type TrainingLoss =
  | { kind: 'masked-cross-entropy'; scores: string }
  | { kind: 'multi-scale-cross-entropy'; scores: readonly string[]; labelDims: readonly [number, number, number] }
  | { kind: 'class-weighted-cross-entropy'; scores: string; classWeights: readonly number[] }
  | { kind: 'scalar'; value: string }
  | { kind: 'weighted-sum'; value: string };

/** A training-mode Dropout's keep mask, fed every step: 0 or 1/(1 − ratio) per element of `value`. */
export interface DropoutMaskInput {
  input: string;
  /** The Dropout output the mask multiplies into. */
  value: string;
  dims: number[];
  ratio: number;
}

export interface TrainingGraphSpec {
  /** An inference graph whose parameters are initializers (what every built-in layer's toOnnx writes). */
  forward: OnnxGraphIR;
  /** Static sizes of the forward graph's inputs (a training graph is built for one batch shape). */
  inputDims: Record<string, number[]>;
  /** The initializers to train, with their update settings. */
  parameters: readonly ParameterSpec[];
  loss: TrainingLoss;
  optimizer: OptimizerSpec;
  /** Also output each parameter's gradient as `<name>__grad` (tests, debugging). */
  outputGradients?: boolean;
  /**
   * The channel block of onnxruntime's NCHWc CPU kernels (nchwcBlockSize()), for a graph that runs on the CPU
   * execution provider alone: its convolutions then run channel-blocked where their channels allow.
   */
  nchwcBlock?: number;
}

export interface TrainingGraph {
  bytes: Uint8Array;
  /** Values carried between steps (parameters, optimiser state, running statistics) with their initial data. */
  state: readonly (StateSlot & { initial: Float32Array })[];
  /** Inputs fed every step besides the state: the forward's data inputs, the labels or weights, the scalars. */
  feeds: Readonly<Record<string, { dims: number[]; type: 'float' | 'int64' | 'int32' }>>;
  /** The loss output (a float scalar). */
  loss: string;
  gradients: ReadonlyMap<string, string>;
  /** One per Dropout that trains (its input depends on a parameter); also listed in `feeds`. */
  dropoutMasks: readonly DropoutMaskInput[];
}

/**
 * The NHWC transpose (perm 0,2,3,1) that produces a masked cross-entropy's scores, when nothing else reads its
 * output: the loss then reads the NCHW value before it (the fused loss wants classes on axis 1).
 */
function finalNhwcTranspose(forward: OnnxGraphIR, loss: TrainingGraphSpec['loss']): OnnxNodeSpec | undefined {
  if (loss.kind !== 'masked-cross-entropy') return undefined;
  const producer = forward.nodes.find((n) => n.outputs.includes(loss.scores));
  if (producer?.opType !== 'Transpose' || (producer.attrs['perm'] as number[] | undefined)?.join() !== '0,2,3,1') return undefined;
  return forward.nodes.some((n) => n.inputs.includes(loss.scores)) ? undefined : producer;
}

/** Name of the labels input (the cross-entropies) or the weights input (weighted sum); a scalar loss has none. */
export const TARGET_INPUT = 'zls_targets';
export const LOSS_OUTPUT = 'zls_loss';

/**
 * Builds one ONNX graph that runs a whole training step: the forward pass (batch norm in training mode where
 * its scale trains), the loss, a hand-written gradient for every op on the way back to the parameters, and
 * the optimiser update. Its inputs are the batch, the learning rate and the state; its outputs the next state
 * and the loss, so onnxruntime runs training as inference.
 */
export async function buildTrainingGraph(spec: TrainingGraphSpec): Promise<TrainingGraph> {
  const forward = fuseConstantProjections(spec.forward, new Set(spec.parameters.map((p) => p.name)));
  const types = valueTypes(forward);
  const shapes = await probeShapes(forward, spec.inputDims, types);
  const initializers = new Map(forward.initializers.map((i) => [i.name, i]));
  const trainable = new Map(spec.parameters.map((p) => [p.name, p]));
  for (const p of spec.parameters) {
    const init = initializers.get(p.name);
    if (!init) throw new ZlsError(`training graph: parameter '${p.name}' is not an initializer of the forward graph`);
    if (init.type !== 'float') throw new ZlsError(`training graph: parameter '${p.name}' is ${init.type}, not float`);
  }
  const int64Constants = new Map<string, number[]>();
  for (const i of forward.initializers) if (i.type === 'int64') int64Constants.set(i.name, Array.from(i.data as BigInt64Array, Number));

  const g = new OnnxGraphBuilder(`${forward.name}-training`);
  g.reserveNames([...forward.inputs.map((v) => v.name), ...forward.initializers.map((v) => v.name), ...forward.nodes.flatMap((n) => n.outputs)]);
  const ctx = new GradientContext(g, shapes, new Map(), int64Constants, spec.nchwcBlock);
  const feeds: Record<string, { dims: number[]; type: 'float' | 'int64' | 'int32' }> = {};
  for (const input of forward.inputs) {
    if (input.type !== 'float' && input.type !== 'int64') throw new ZlsError(`training graph: input '${input.name}' is ${input.type}`);
    g.addInput(input.name, spec.inputDims[input.name], input.type);
    feeds[input.name] = { dims: spec.inputDims[input.name], type: input.type };
  }
  // Which values depend on a trained parameter (only those need gradients).
  const requires = new Set<string>(trainable.keys());
  for (const node of forward.nodes) {
    if (node.inputs.some((i) => requires.has(i))) for (const o of node.outputs) if (types.get(o) === 'float') requires.add(o);
  }
  // A Dropout that trains becomes a product with a fed mask (below), so a ratio only such nodes read is left
  // out (onnxruntime warns about unused initializers).
  const dropoutTraining = new Set(forward.nodes.filter((n) => n.opType === 'Dropout' && requires.has(n.inputs[0])));
  const onlyTrainingDropoutsRead = (name: string) => forward.nodes.every((n) => !n.inputs.includes(name) || dropoutTraining.has(n));
  const unusedRatios = new Set([...dropoutTraining].map((n) => n.inputs[1]).filter((r) => r && onlyTrainingDropoutsRead(r)));

  const state: (StateSlot & { initial: Float32Array })[] = [];
  // A running statistic read by several training-mode batch norms (one layer applied to several inputs: the
  // multi-scale branches) is updated by each in turn, as the tfjs layer (and PyTorch's) updates it per call.
  const statSlots = new Map<string, StateSlot & { initial: Float32Array }>();
  const bnTraining = new Set(forward.nodes.filter((n) => n.opType === 'BatchNormalization' && trainable.has(n.inputs[1])).map((n) => n.name));
  const runningStats = new Set(forward.nodes.filter((n) => bnTraining.has(n.name)).flatMap((n) => [n.inputs[3], n.inputs[4]]));
  for (const init of forward.initializers) {
    if (trainable.has(init.name) || runningStats.has(init.name)) g.addInput(init.name, [...init.dims]);
    else if (!unusedRatios.has(init.name)) g.addInitializer(init.name, init.data, init.dims, init.type);
  }

  // Forward, as given except batch norm in training mode, max pooling that also reports its winners, and
  // dropout in training mode with its mask an input: the caller draws it from a seeded stream, so a step is
  // deterministic and the tfjs path can be handed the very same mask (onnxruntime's own Dropout would draw
  // from a generator no other code can reproduce).
  const nodes: OnnxNodeSpec[] = [];
  const dropoutMasks: DropoutMaskInput[] = [];
  const lossTranspose = finalNhwcTranspose(forward, spec.loss);
  for (const node of forward.nodes) {
    // The loss reads the NCHW value before the net's final transpose, so the transposed scores are never used.
    if (node === lossTranspose) continue;
    if (dropoutTraining.has(node)) {
      if (node.outputs.length > 1) throw new ZlsError(`training graph: Dropout '${node.name}' outputs its mask; only the data output is supported`);
      const ratioInit = node.inputs[1] ? initializers.get(node.inputs[1]) : undefined;
      if (node.inputs[1] && ratioInit?.type !== 'float') throw new ZlsError(`training graph: Dropout '${node.name}' needs a constant float ratio`);
      const dims = shapes.get(node.inputs[0]) as number[];
      const mask = `${node.outputs[0]}__mask`;
      g.addInput(mask, dims);
      feeds[mask] = { dims, type: 'float' };
      dropoutMasks.push({ input: mask, value: node.outputs[0], dims, ratio: ratioInit ? (ratioInit.data as Float32Array)[0] : 0.5 });
      g.addNode('Mul', [node.inputs[0], mask], [node.outputs[0]]);
      ctx.saved.set(node.name, { mask });
      nodes.push(node);
      continue;
    }
    if (bnTraining.has(node.name)) {
      const [mean, variance] = [node.inputs[3], node.inputs[4]];
      const current = (stat: string) => statSlots.get(stat)?.output ?? stat;
      const emitted = emitBatchNormTraining(ctx, { ...node, inputs: [...node.inputs.slice(0, 3), current(mean), current(variance)] });
      for (const [stat, output] of [
        [mean, emitted.runningMean],
        [variance, emitted.runningVar],
      ] as const) {
        const slot = statSlots.get(stat);
        if (slot) slot.output = output;
        else {
          const fresh = { input: stat, output, dims: [...(initializers.get(stat)?.dims ?? [])], initial: initializers.get(stat)?.data as Float32Array };
          statSlots.set(stat, fresh);
          state.push(fresh);
        }
      }
      nodes.push(node);
      continue;
    }
    if (node.opType === 'Conv' && node.outputs.length === 1) {
      const [x, w, bias] = node.inputs;
      emitConvolution(ctx, { x, xShape: shapes.get(x) ?? [], w, wShape: shapes.get(w) ?? [], bias: bias || undefined }, node.outputs[0], node.attrs);
      nodes.push(node);
      continue;
    }
    let copy = node;
    if (node.opType === 'MaxPool' && node.outputs.length === 1 && requires.has(node.inputs[0])) copy = { ...node, outputs: [node.outputs[0], `${node.outputs[0]}__indices`] };
    g.addNode(copy.opType, copy.inputs, copy.outputs, copy.attrs, copy.domain);
    nodes.push(copy);
  }

  // Loss and its gradient with respect to the value it reads. Scores that are an NHWC transpose of an NCHW
  // value are read before the transpose (the fused loss wants classes on axis 1).
  let lossValue =
    spec.loss.kind === 'masked-cross-entropy' || spec.loss.kind === 'class-weighted-cross-entropy' ? spec.loss.scores : spec.loss.kind === 'multi-scale-cross-entropy' ? '' : spec.loss.value;
  const nchwScores = lossTranspose?.inputs[0];
  const lossReads = spec.loss.kind === 'multi-scale-cross-entropy' ? spec.loss.scores : [lossValue];
  for (const v of lossReads) if (!shapes.has(v)) throw new ZlsError(`training graph: the loss reads '${v}', which is not a float value of the forward graph`);
  let seed: { loss: string; dScores: string };
  /** Further values the loss reads, with their gradients (the multi-scale loss's other terms). */
  const moreSeeds: { value: string; dScores: string }[] = [];
  if (spec.loss.kind === 'multi-scale-cross-entropy') {
    const dims = [...spec.loss.labelDims];
    if (spec.loss.scores.length === 0) throw new ZlsError('training graph: the multi-scale cross-entropy needs at least one scores value');
    g.addInput(TARGET_INPUT, dims, 'int32');
    feeds[TARGET_INPUT] = { dims, type: 'int32' };
    const terms = emitMultiScaleCrossEntropy(ctx, spec.loss.scores, g.op('Cast', [TARGET_INPUT], { to: 7 }), spec.loss.labelDims);
    lossValue = terms.seeds[0].value;
    seed = { loss: terms.loss, dScores: terms.seeds[0].dScores };
    moreSeeds.push(...terms.seeds.slice(1));
  } else if (spec.loss.kind === 'masked-cross-entropy') {
    const dims = shapes.get(lossValue) as number[];
    if (dims.length !== 4) throw new ZlsError(`training graph: masked cross-entropy reads scores [N, H, W, K]; '${lossValue}' is [${dims}]`);
    // Class positions arrive as int32 (−1: ignored), a plain copy of what the data pipeline produces.
    g.addInput(TARGET_INPUT, dims.slice(0, 3), 'int32');
    feeds[TARGET_INPUT] = { dims: dims.slice(0, 3), type: 'int32' };
    const labels = g.op('Cast', [TARGET_INPUT], { to: 7 });
    if (nchwScores) {
      lossValue = nchwScores;
      seed = emitMaskedCrossEntropyNchw(ctx, nchwScores, labels);
    } else seed = emitMaskedCrossEntropy(ctx, lossValue, labels);
  } else if (spec.loss.kind === 'class-weighted-cross-entropy') {
    const dims = (shapes.get(lossValue) as number[]).slice(0, -1);
    g.addInput(TARGET_INPUT, dims, 'int32');
    feeds[TARGET_INPUT] = { dims, type: 'int32' };
    seed = emitClassWeightedCrossEntropy(ctx, lossValue, g.op('Cast', [TARGET_INPUT], { to: 7 }), spec.loss.classWeights);
  } else if (spec.loss.kind === 'scalar') {
    const dims = shapes.get(lossValue) as number[];
    if (dims.reduce((a, b) => a * b, 1) !== 1) throw new ZlsError(`training graph: a scalar loss reads '${lossValue}', which is [${dims}]`);
    seed = { loss: lossValue, dScores: ctx.constFloat([1], dims) };
  } else {
    const dims = shapes.get(lossValue) as number[];
    g.addInput(TARGET_INPUT, dims);
    feeds[TARGET_INPUT] = { dims, type: 'float' };
    seed = emitWeightedSum(ctx, lossValue, TARGET_INPUT);
  }
  g.addNode('Identity', [seed.loss], [LOSS_OUTPUT]);

  // Backward: walk the nodes in reverse, summing every value's gradient contributions before using it.
  const contributions = new Map<string, string[]>([[lossValue, [seed.dScores]]]);
  for (const more of moreSeeds) contributions.set(more.value, [...(contributions.get(more.value) ?? []), more.dScores]);
  const total = (v: string): string | undefined => {
    const parts = contributions.get(v);
    if (!parts) return undefined;
    if (parts.length === 1) return parts[0];
    const summed = g.op('Sum', parts);
    contributions.set(v, [summed]);
    return summed;
  };
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    const needs = node.inputs.map((x) => requires.has(x));
    if (!needs.some(Boolean)) continue;
    const dOutputs = node.outputs.map((o) => total(o));
    if (!dOutputs.some((d) => d !== undefined)) continue;
    const rule = bnTraining.has(node.name) ? batchNormTrainingGradient : GRADIENT_RULES[node.opType];
    if (!rule) throw new ZlsError(`training graph: no gradient for ONNX op ${node.opType} ('${node.name}'); it lies between a trained parameter and the loss`);
    const dInputs = rule(ctx, node, dOutputs, needs);
    node.inputs.forEach((x, k) => {
      const d = dInputs[k];
      if (d && needs[k]) contributions.set(x, [...(contributions.get(x) ?? []), d]);
    });
  }

  // Optimiser update of every parameter.
  g.addInput(LR_INPUT, []);
  feeds[LR_INPUT] = { dims: [], type: 'float' };
  if (spec.optimizer.kind === 'adam') {
    g.addInput(ADAM_C1_INPUT, []).addInput(ADAM_C2_INPUT, []);
    feeds[ADAM_C1_INPUT] = { dims: [], type: 'float' };
    feeds[ADAM_C2_INPUT] = { dims: [], type: 'float' };
  }
  const gradients = new Map<string, string>();
  const grads = new Map<string, string>();
  for (const p of spec.parameters) {
    const grad = total(p.name) ?? g.op('ConstantOfShape', [ctx.constInt64(shapes.get(p.name) as number[])]);
    if (spec.outputGradients) {
      g.addNode('Identity', [grad], [`${p.name}__grad`]);
      gradients.set(p.name, `${p.name}__grad`);
    }
    grads.set(p.name, grad);
  }
  const slotsOf = emitUpdates(ctx, spec.parameters, grads, spec.optimizer);
  const updates = spec.parameters.flatMap((p) =>
    (slotsOf.get(p.name) ?? []).map((slot) => ({ ...slot, initial: slot.input === p.name ? (initializers.get(p.name)?.data as Float32Array) : new Float32Array(slot.dims.reduce((a, b) => a * b, 1)) })),
  );
  state.unshift(...updates);
  for (const slot of state) g.addOutput(slot.output, slot.dims);
  for (const grad of gradients.values()) g.addOutput(grad, shapes.get(grad.slice(0, -'__grad'.length)) as number[]);
  g.addOutput(LOSS_OUTPUT, []);
  return { bytes: g.toBytes(), state, feeds, loss: LOSS_OUTPUT, gradients, dropoutMasks };
}
