import type * as tf from '@tensorflow/tfjs';
import { OnnxGraphBuilder, OnnxInferenceSession } from '@zls/backend';
import type { Head, OnnxBackboneOutput } from '@zls/core';

/**
 * Exports the head alone (NHWC `features` and `lowLevel` inputs → NCHW inside → NHWC `output`, like tfjs) and
 * runs it once in onnxruntime on the given backbone outputs' values.
 */
export async function runHeadOnnx(head: Head & Required<Pick<Head, 'toOnnx'>>, features: tf.Tensor4D, lowLevel?: tf.Tensor4D): Promise<{ data: Float32Array; dims: number[] }> {
  const g = new OnnxGraphBuilder('head-contract');
  const feeds: Record<string, { data: Float32Array; dims: number[] }> = {};
  const nchw = (name: string, t: tf.Tensor4D): string => {
    const [, h, w, c] = t.shape;
    g.addInput(name, ['N', h, w, c]);
    feeds[name] = { data: t.dataSync() as Float32Array, dims: [...t.shape] };
    return g.op('Transpose', [name], { perm: [0, 3, 1, 2] });
  };
  const input: OnnxBackboneOutput = { features: nchw('features', features), lowLevel: lowLevel ? nchw('lowLevel', lowLevel) : undefined };
  g.addNode('Transpose', [head.toOnnx(g, input)], ['output'], { perm: [0, 2, 3, 1] });
  g.addOutput('output', ['N', 'H', 'W', 'C']);
  const session = await OnnxInferenceSession.create(g.toBytes(), { threads: 1 });
  try {
    return (await session.run(feeds))['output'];
  } finally {
    await session.dispose();
  }
}
