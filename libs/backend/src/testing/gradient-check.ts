import { SeededRng } from '@zls/core';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { OnnxGraphBuilder, type OnnxGraphIR } from '../onnx/onnx-graph-builder';
import { buildTrainingGraph } from '../training-graph/build-training-graph';
import { OnnxTrainingSession } from '../training-graph/onnx-training-session';

/**
 * Test support: the training graph's gradients of L = Σ value·r (random r) with respect to chosen
 * initializers, next to central differences of L computed by running the plain forward graph in onnxruntime.
 */
export interface GradientCheckResult {
  analytic: Map<string, Float32Array>;
  /** Per parameter: sampled coordinates with their finite-difference estimate. */
  numeric: Map<string, { index: number; value: number }[]>;
  /** Max |analytic − numeric| over the samples, relative to max(1, max |analytic|). */
  worst: number;
  /** The random loss weights r, i.e. dL/d(value). */
  weights: Float32Array;
}

export async function checkGradients(forward: OnnxGraphIR, value: string, params: string[], options: { seed?: number; epsilon?: number; samples?: number } = {}): Promise<GradientCheckResult> {
  const rng = new SeededRng(options.seed ?? 7);
  const epsilon = options.epsilon ?? 1e-2;
  const inputDims = Object.fromEntries(forward.inputs.map((i) => [i.name, i.dims as number[]]));
  const graph = await buildTrainingGraph({
    forward,
    inputDims,
    parameters: params.map((name) => ({ name, lrMultiplier: 1, weightDecay: 0 })),
    loss: { kind: 'weighted-sum', value },
    optimizer: { kind: 'sgd', momentum: 0 },
    outputGradients: true,
  });
  const weightsDims = graph.feeds['zls_targets'].dims;
  const weights = Float32Array.from({ length: weightsDims.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1));
  const inputs: Record<string, Float32Array> = {};
  for (const i of forward.inputs) inputs[i.name] = Float32Array.from({ length: (i.dims as number[]).reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1));
  // Training-mode dropout reads a fed mask; the reference forward multiplies by the same one.
  const masks = new Map(graph.dropoutMasks.map((m) => [m.value, m]));
  for (const m of graph.dropoutMasks) inputs[m.input] = Float32Array.from({ length: m.dims.reduce((a, b) => a * b, 1) }, () => (rng.uniform(0, 1) < m.ratio ? 0 : 1 / (1 - m.ratio)));
  const session = await OnnxTrainingSession.create(graph, { threads: 1 });
  const { gradients } = await session.step({ inputs, targets: weights, lr: 0 });
  await session.dispose();

  // The plain forward with the checked parameters as inputs, and L = Σ value·r as its output.
  const g = new OnnxGraphBuilder('fd');
  const checked = new Set(params);
  for (const i of forward.inputs) g.addInput(i.name, i.dims as number[], i.type);
  const values = new Map<string, { data: Float32Array; dims: number[] }>();
  // Batch norm whose scale is checked trains, so the reference forward normalises with batch statistics too;
  // a training-mode dropout multiplies by the mask the training graph was fed.
  const nodes = forward.nodes.map((n) => {
    const mask = n.opType === 'Dropout' ? masks.get(n.outputs[0]) : undefined;
    if (mask) return { ...n, opType: 'Mul', inputs: [n.inputs[0], mask.input], attrs: {} };
    if (n.opType === 'BatchNormalization' && checked.has(n.inputs[1])) return { ...n, outputs: [n.outputs[0], `${n.outputs[0]}__mean`, `${n.outputs[0]}__var`], attrs: { ...n.attrs, training_mode: 1 } };
    return n;
  });
  const read = new Set(nodes.flatMap((n) => n.inputs));
  for (const init of forward.initializers) {
    if (checked.has(init.name)) {
      g.addInput(init.name, init.dims);
      values.set(init.name, { data: Float32Array.from(init.data as Float32Array), dims: init.dims });
    } else if (read.has(init.name)) g.addInitializer(init.name, init.data, init.dims, init.type);
  }
  for (const m of graph.dropoutMasks) g.addInput(m.input, m.dims);
  for (const n of nodes) g.addNode(n.opType, n.inputs, n.outputs, n.attrs, n.domain);
  g.addInput('r', weightsDims);
  g.addNode('ReduceSum', [g.op('Mul', [value, 'r'])], ['L'], { keepdims: 0 });
  g.addOutput('L', []);
  const fd = await InferenceSession.create(g.toBytes(), { intraOpNumThreads: 1 });
  const loss = async () => {
    const feeds: Record<string, Tensor> = { r: new Tensor('float32', weights, weightsDims) };
    for (const [k, v] of Object.entries(inputs)) feeds[k] = new Tensor('float32', v, inputDims[k] ?? graph.feeds[k].dims);
    for (const [k, v] of values) feeds[k] = new Tensor('float32', v.data, v.dims);
    return Number(((await fd.run(feeds))['L'].data as Float32Array)[0]);
  };
  const numeric = new Map<string, { index: number; value: number }[]>();
  let worst = 0;
  for (const name of params) {
    const v = values.get(name) as { data: Float32Array };
    const analytic = gradients.get(name) as Float32Array;
    let scale = 1;
    for (const a of analytic) scale = Math.max(scale, Math.abs(a));
    const samples: { index: number; value: number }[] = [];
    const count = Math.min(options.samples ?? 12, v.data.length);
    for (let s = 0; s < count; s++) {
      const index = count === v.data.length ? s : rng.int(0, v.data.length - 1);
      const original = v.data[index];
      v.data[index] = original + epsilon;
      const up = await loss();
      v.data[index] = original - epsilon;
      const down = await loss();
      v.data[index] = original;
      const estimate = (up - down) / (2 * epsilon);
      samples.push({ index, value: estimate });
      worst = Math.max(worst, Math.abs(estimate - analytic[index]) / scale);
    }
    numeric.set(name, samples);
  }
  await fd.release();
  return { analytic: gradients, numeric, worst, weights };
}
