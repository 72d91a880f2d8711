import { ZlsError } from '@zls/core';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { OnnxGraphBuilder, type OnnxElemType, type OnnxGraphIR } from '../onnx/onnx-graph-builder';

/**
 * The static shape of every float value of a forward graph for fixed input sizes, read from one run of the
 * graph on zeros with every intermediate value made an output: onnxruntime's own answer, so the backward
 * pass is sized exactly as the forward computes (ceil-mode pooling, strided edges, resize sizes read at run
 * time), with no second shape-inference implementation to keep in step.
 */
export async function probeShapes(ir: OnnxGraphIR, inputDims: Record<string, number[]>, types: Map<string, OnnxElemType>): Promise<Map<string, number[]>> {
  const g = new OnnxGraphBuilder(`${ir.name}-shape-probe`);
  const feeds: Record<string, Tensor> = {};
  const shapes = new Map<string, number[]>();
  for (const input of ir.inputs) {
    const dims = inputDims[input.name];
    if (!dims) throw new ZlsError(`training graph: no size given for input '${input.name}'`);
    g.addInput(input.name, dims, input.type);
    const size = dims.reduce((a, b) => a * b, 1);
    feeds[input.name] = input.type === 'int64' ? new Tensor('int64', new BigInt64Array(size), dims) : new Tensor('float32', new Float32Array(size), dims);
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
  const session = await createProbeSession(g, probed);
  try {
    const results = await session.run(feeds);
    for (const name of probed) shapes.set(name, [...results[name].dims]);
  } finally {
    await session.release();
  }
  return shapes;
}

async function createProbeSession(g: OnnxGraphBuilder, outputs: string[]): Promise<InferenceSession> {
  try {
    return await InferenceSession.create(g.toBytes(), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 2 });
  } catch (e) {
    throw new ZlsError(`training graph: onnxruntime could not run the forward graph to size it (${outputs.length} values): ${e instanceof Error ? e.message : String(e)}`);
  }
}
