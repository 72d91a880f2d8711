import * as tf from '@tensorflow/tfjs';
import { OnnxGraphBuilder } from '@zls/backend';
import { EMBEDDING_DIM, LAYERS, NUM_CLASSES, Params } from './reference-model';

const LAYER = new Map(LAYERS.map((l) => [l.name, l]));

/** HWIO → OIHW, with inference batch norm (running mean 0, variance 1) folded into weights and bias. */
function foldedConv(p: Params, name: string): { w: Float32Array; b: Float32Array; dims: number[] } {
  const l = LAYER.get(name);
  if (!l) throw new Error(`unknown layer ${name}`);
  const hwio = p[`${name}.w`].dataSync();
  const scale = l.bn ? Array.from(p[`${name}.gamma`].dataSync(), (g) => g / Math.sqrt(1 + 1e-5)) : new Array(l.cout).fill(1);
  const b = Float32Array.from(l.bn ? p[`${name}.beta`].dataSync() : p[`${name}.b`].dataSync());
  const w = new Float32Array(hwio.length);
  for (let i = 0; i < l.k; i++)
    for (let j = 0; j < l.k; j++)
      for (let ci = 0; ci < l.cin; ci++)
        for (let co = 0; co < l.cout; co++) w[((co * l.cin + ci) * l.k + i) * l.k + j] = hwio[((i * l.k + j) * l.cin + ci) * l.cout + co] * scale[co];
  return { w, b, dims: [l.cout, l.cin, l.k, l.k] };
}

/**
 * The reference model's inference graph as ONNX: NHWC images in (symbolic batch), NCHW log-probabilities out.
 * Stands in for the whole-model export the model layers will provide.
 */
export function exportReferenceOnnx(p: Params, embeddings: tf.Tensor2D, height: number, width: number): Uint8Array {
  const g = new OnnxGraphBuilder('reference-model');
  g.addInput('images', ['batch', height, width, 3]);
  const conv = (name: string, x: string, relu = true) => {
    const l = LAYER.get(name);
    if (!l) throw new Error(`unknown layer ${name}`);
    const { w, b, dims } = foldedConv(p, name);
    g.addInitializer(`${name}.w`, w, dims).addInitializer(`${name}.b`, b, [l.cout]);
    const pad = (l.dilation * (l.k - 1)) >> 1;
    const y = g.op('Conv', [x, `${name}.w`, `${name}.b`], {
      kernel_shape: [l.k, l.k],
      strides: [l.stride, l.stride],
      dilations: [l.dilation, l.dilation],
      // TensorFlow 'same' with stride 2 on even sizes pads (0 before, 1 after); stride 1 pads symmetrically.
      pads: l.stride === 2 && l.k === 3 ? [0, 0, 1, 1] : [pad, pad, pad, pad],
    });
    return relu ? g.op('Relu', [y]) : y;
  };
  let x = g.op('Transpose', ['images'], { perm: [0, 3, 1, 2] });
  x = conv('stem1', x);
  x = conv('stem2', x);
  const low = conv('low', x);
  x = g.op('Relu', [g.op('Add', [conv('res2', conv('res1', low), false), low])]);
  x = conv('down', x);
  x = conv('dil2', x);
  const a1 = conv('aspp1', x);
  const pooled = conv('asppPool', g.op('ReduceMean', [x], { axes: [2, 3], keepdims: 1 }));
  const spread = g.op('Expand', [pooled, g.op('Shape', [a1])]);
  x = g.op('Concat', [a1, conv('aspp6', x), conv('aspp12', x), spread], { axis: 1 });
  x = conv('asppProject', x);
  g.addInitializer('up2', Float32Array.of(1, 1, 2, 2), [4]);
  x = g.op('Resize', [x, '', 'up2'], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' });
  x = g.op('Concat', [x, conv('lowReduce', low)], { axis: 1 });
  x = conv('decoder', x);
  const emb = conv('embed', x, false);
  // Scores against fixed embeddings: a 1×1 convolution whose weights are the embedding columns.
  const e = embeddings.dataSync();
  const scoreW = new Float32Array(NUM_CLASSES * EMBEDDING_DIM);
  for (let d = 0; d < EMBEDDING_DIM; d++) for (let k = 0; k < NUM_CLASSES; k++) scoreW[k * EMBEDDING_DIM + d] = e[d * NUM_CLASSES + k];
  g.addInitializer('classEmbeddings', scoreW, [NUM_CLASSES, EMBEDDING_DIM, 1, 1]);
  const scores = g.op('Conv', [emb, 'classEmbeddings'], { kernel_shape: [1, 1] });
  g.addInitializer('up4', Float32Array.of(1, 1, 4, 4), [4]);
  const logits = g.op('Resize', [scores, '', 'up4'], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' });
  const logp = g.op('LogSoftmax', [logits], { axis: 1 });
  g.addOutput(logp, ['batch', NUM_CLASSES, height, width]);
  return g.toBytes();
}
