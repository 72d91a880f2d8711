import type * as tf from '@tensorflow/tfjs';
import { OnnxGraphBuilder, OnnxInferenceSession, type OnnxDim } from '@zls/backend';
import { onnxOps } from '../onnx/onnx-ops';

/**
 * Wraps NCHW graph-building code in an NHWC interface (input 'input' [N,H,W,C] → named NHWC outputs), the
 * layout tfjs uses, so exported graphs and tfjs forwards take and give the same arrays.
 */
export function buildNhwcGraph(
  name: string,
  inputDims: OnnxDim[],
  body: (g: OnnxGraphBuilder, nchwInput: string) => Record<string, string>,
): Uint8Array {
  const g = new OnnxGraphBuilder(name);
  g.addInput('input', inputDims);
  const outputs = body(g, onnxOps.nhwcToNchw(g, 'input'));
  for (const [outName, value] of Object.entries(outputs)) {
    g.addNode('Transpose', [value], [outName], { perm: [0, 2, 3, 1] });
    g.addOutput(outName, ['N', `${outName}_H`, `${outName}_W`, `${outName}_C`]);
  }
  return g.toBytes();
}

/** Runs an NHWC graph once on a tfjs tensor's values; outputs as flat arrays with their dims. */
export async function runNhwcGraph(model: Uint8Array, input: tf.Tensor4D, threads = 1): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
  const session = await OnnxInferenceSession.create(model, { threads });
  try {
    return await session.run({ input: { data: input.dataSync() as Float32Array, dims: [...input.shape] } });
  } finally {
    await session.dispose();
  }
}
