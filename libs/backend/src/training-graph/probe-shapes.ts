import { ZlsError } from '@zls/core';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { OnnxGraphBuilder, type OnnxElemType, type OnnxGraphIR } from '../onnx/onnx-graph-builder';

/**
 * The static shape of every float value of a forward graph for fixed input sizes, as onnxruntime computes
 * them (its shape inference, then one run on zeros for what inference leaves open): the backward pass is
 * sized exactly as the forward runs (ceil-mode pooling, strided edges, resize sizes read at run time), with
 * no second shape-inference implementation to keep in step.
 */
export async function probeShapes(ir: OnnxGraphIR, inputDims: Record<string, number[]>, types: Map<string, OnnxElemType>): Promise<Map<string, number[]>> {
  const g = new OnnxGraphBuilder(`${ir.name}-shape-probe`);
  const shapes = new Map<string, number[]>();
  for (const input of ir.inputs) {
    const dims = inputDims[input.name];
    if (!dims) throw new ZlsError(`training graph: no size given for input '${input.name}'`);
    g.addInput(input.name, dims, input.type);
    shapes.set(input.name, dims);
  }
  for (const init of ir.initializers) {
    g.addInitializer(init.name, init.data, init.dims, init.type);
    shapes.set(init.name, [...init.dims]);
  }
  const probed: string[] = [];
  for (const node of ir.nodes) {
    g.addNode(node.opType, node.inputs, node.outputs, node.attrs, node.domain);
    for (const out of node.outputs) {
      const t = types.get(out);
      if (t !== 'float') continue;
      probed.push(out);
      g.addOutput(out, null, t);
    }
  }
  // onnxruntime's shape inference, read from the session's output metadata, sizes most values without a run;
  // the rest (sizes computed at run time, e.g. Resize to another value's shape) come from one run on zeros.
  const session = await createProbeSession(g.toBytes(), probed.length);
  const unknown: string[] = [];
  try {
    const metadata = (session as unknown as { outputMetadata?: { name: string; shape?: unknown[] }[] }).outputMetadata ?? [];
    const inferred = new Map(metadata.map((m) => [m.name, m.shape]));
    for (const name of probed) {
      const dims = inferred.get(name);
      if (Array.isArray(dims) && dims.every((d) => typeof d === 'number' && d >= 0)) shapes.set(name, dims as number[]);
      else unknown.push(name);
    }
  } finally {
    await session.release();
  }
  if (unknown.length > 0) await runForShapesAffineInBatch(ir, g, unknown, inputDims, shapes);
  return shapes;
}

/** Zero feeds of the graph's inputs at these sizes. */
function zeroFeeds(ir: OnnxGraphIR, inputDims: Record<string, number[]>): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const input of ir.inputs) {
    const dims = inputDims[input.name];
    const size = dims.reduce((a, b) => a * b, 1);
    feeds[input.name] = input.type === 'int64' ? new Tensor('int64', new BigInt64Array(size), dims) : new Tensor('float32', new Float32Array(size), dims);
  }
  return feeds;
}

/**
 * The run on zeros keeps every value it sizes alive at once (they are outputs), which for a multi-scale
 * ResNet-101 at batch 8 was more memory than the training step itself (past 23 GB). So when every input has
 * the same leading (batch) size B > 3, the graph runs at batches 1, 2 and 3 instead, and each size at B is
 * extrapolated: a size that is affine in the batch (d₃ − d₂ = d₂ − d₁) is d₁ + (B − 1)(d₂ − d₁). Any size that
 * is not, or a graph that cannot run at a small batch, falls back to the run at B.
 */
async function runForShapesAffineInBatch(ir: OnnxGraphIR, sized: OnnxGraphBuilder, names: string[], inputDims: Record<string, number[]>, shapes: Map<string, number[]>): Promise<void> {
  const leading = new Set(ir.inputs.map((i) => inputDims[i.name][0]));
  const batch = leading.size === 1 ? [...leading][0] : 0;
  if (batch > 3) {
    const at = (b: number) => Object.fromEntries(ir.inputs.map((i) => [i.name, [b, ...inputDims[i.name].slice(1)]]));
    try {
      const small = [new Map<string, number[]>(), new Map<string, number[]>(), new Map<string, number[]>()];
      for (let b = 1; b <= 3; b++) await runForShapes(sized, names, zeroFeeds(ir, at(b)), small[b - 1]);
      const extrapolated = new Map<string, number[]>();
      const affine = names.every((name) => {
        const [d1, d2, d3] = small.map((m) => m.get(name) as number[]);
        if (d1.length !== d2.length || d2.length !== d3.length) return false;
        if (!d1.every((_, k) => d3[k] - d2[k] === d2[k] - d1[k])) return false;
        extrapolated.set(name, d1.map((v, k) => v + (batch - 1) * (d2[k] - v)));
        return true;
      });
      if (affine) {
        for (const [name, dims] of extrapolated) shapes.set(name, dims);
        return;
      }
    } catch {
      // Not runnable at a small batch (a size fixed in the graph): size it at the real batch below.
    }
  }
  await runForShapes(sized, names, zeroFeeds(ir, inputDims), shapes);
}

/** Runs the graph once on zeros with only the values still unsized as outputs. */
async function runForShapes(sized: OnnxGraphBuilder, names: string[], feeds: Record<string, Tensor>, shapes: Map<string, number[]>): Promise<void> {
  const base = sized.ir();
  const g = new OnnxGraphBuilder(`${base.name}-shape-run`);
  for (const input of base.inputs) g.addInput(input.name, [...feeds[input.name].dims], input.type);
  for (const init of base.initializers) g.addInitializer(init.name, init.data, init.dims, init.type);
  for (const node of base.nodes) g.addNode(node.opType, node.inputs, node.outputs, node.attrs, node.domain);
  for (const name of names) g.addOutput(name, null);
  const session = await createProbeSession(g.toBytes(), names.length);
  try {
    const results = await session.run(feeds);
    for (const name of names) shapes.set(name, [...results[name].dims]);
  } finally {
    await session.release();
  }
}

async function createProbeSession(bytes: Uint8Array, outputs: number): Promise<InferenceSession> {
  try {
    return await InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled', intraOpNumThreads: 2 });
  } catch (e) {
    throw new ZlsError(`training graph: onnxruntime could not load the forward graph to size it (${outputs} values): ${e instanceof Error ? e.message : String(e)}`);
  }
}
