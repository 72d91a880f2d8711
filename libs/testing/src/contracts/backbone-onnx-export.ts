import type * as tf from '@tensorflow/tfjs';
import { OnnxGraphBuilder, OnnxInferenceSession } from '@zls/backend';
import type { Backbone } from '@zls/core';

/** What a backbone offers to be exported (structurally the models library's OnnxBackbone). */
export interface OnnxExportableBackbone extends Backbone {
  toOnnx(g: OnnxGraphBuilder, input: string): { features: string; lowLevel?: string };
}

export function canExportOnnx(b: Backbone): b is OnnxExportableBackbone {
  return typeof (b as Partial<OnnxExportableBackbone>).toOnnx === 'function';
}

/**
 * Exports the backbone alone (NHWC input → NCHW inside → NHWC outputs, like tfjs) and runs it once in
 * onnxruntime on `input`'s values.
 */
export async function runBackboneOnnx(backbone: OnnxExportableBackbone, input: tf.Tensor4D, withLowLevel: boolean): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
  const g = new OnnxGraphBuilder('backbone-contract');
  const [, h, w, c] = input.shape;
  g.addInput('input', ['N', h, w, c]);
  const out = backbone.toOnnx(g, g.op('Transpose', ['input'], { perm: [0, 3, 1, 2] }));
  const named: Record<string, string> = { features: out.features };
  if (withLowLevel && out.lowLevel) named['lowLevel'] = out.lowLevel;
  for (const [name, value] of Object.entries(named)) {
    g.addNode('Transpose', [value], [name], { perm: [0, 2, 3, 1] });
    g.addOutput(name, ['N', `${name}_h`, `${name}_w`, `${name}_c`]);
  }
  const session = await OnnxInferenceSession.create(g.toBytes(), { threads: 1 });
  try {
    return await session.run({ input: { data: input.dataSync() as Float32Array, dims: [...input.shape] } });
  } finally {
    await session.dispose();
  }
}

/**
 * The variables the backbone's ONNX export names as initializer origins. The graph trainer trains exactly these:
 * a trainable variable missing here would make the training graph refuse the network.
 */
export function exportedVariables(backbone: OnnxExportableBackbone, inputShape: readonly number[]): Set<object> {
  const g = new OnnxGraphBuilder('backbone-origins');
  const [, h, w, c] = inputShape;
  g.addInput('input', ['N', c, h, w]);
  backbone.toOnnx(g, 'input');
  return new Set(g.ir().initializers.flatMap((i) => (i.origin ? [i.origin.variable] : [])));
}
