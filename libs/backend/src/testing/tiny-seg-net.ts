import * as tf from '@tensorflow/tfjs';
import { SeededRng } from '@zls/core';
import { batchNormTrain } from '../fused/batch-norm-relu';
import { resizeBilinearHalfPixel } from '../gradients/resize-bilinear';

/**
 * A miniature of the reference segmentation net, for backend-equivalence and memory tests: strided conv,
 * batch norm in training mode, dilated convs (ASPP-like), concat, 1×1 projection, scores against fixed
 * embeddings with a matrix product, half-pixel bilinear upsampling, log-softmax, cross-entropy with an
 * ignore label. Test-only.
 */
export interface TinySegNetSpec {
  batch: number;
  size: number;
  classes: number;
  embeddingDim: number;
}

export type TinyParams = Record<string, Float32Array>;

export const tinyParamShapes = (s: TinySegNetSpec): Record<string, number[]> => ({
  stem: [3, 3, 3, 8],
  stemGamma: [8],
  stemBeta: [8],
  d2: [3, 3, 8, 8],
  d2Gamma: [8],
  d2Beta: [8],
  branch1: [1, 1, 8, 6],
  branch6: [3, 3, 8, 6],
  project: [1, 1, 12, s.embeddingDim],
});

export function tinyParams(spec: TinySegNetSpec, rng: SeededRng): TinyParams {
  const params: TinyParams = {};
  for (const [name, shape] of Object.entries(tinyParamShapes(spec))) {
    const size = shape.reduce((a, b) => a * b, 1);
    const fanIn = shape.length === 4 ? shape[0] * shape[1] * shape[2] : 1;
    params[name] = Float32Array.from({ length: size }, () =>
      name.endsWith('Gamma') ? 1 + 0.1 * rng.normal() : name.endsWith('Beta') ? 0.1 * rng.normal() : rng.normal() * Math.sqrt(2 / fanIn),
    );
  }
  return params;
}

export function tinyVariables(spec: TinySegNetSpec, params: TinyParams): Record<string, tf.Variable> {
  const shapes = tinyParamShapes(spec);
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, tf.variable(tf.tensor(v, shapes[k]), true, undefined)]));
}

function batchNormRelu(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.relu(tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta)) as tf.Tensor4D;
}

/** Mean cross-entropy over pixels whose label is not 255. */
export function tinyLoss(spec: TinySegNetSpec, p: Record<string, tf.Tensor>, images: tf.Tensor4D, labels: tf.Tensor3D, embeddings: tf.Tensor2D): tf.Scalar {
  const c = (x: tf.Tensor4D, w: string, stride: number, dilation: number) => tf.conv2d(x, p[w] as tf.Tensor4D, stride, 'same', 'NHWC', dilation);
  const stem = batchNormRelu(c(images, 'stem', 2, 1), p['stemGamma'], p['stemBeta']);
  // One layer through the fused op (one onnxruntime graph each way on wasm-ort), one through tfjs ops.
  const deep = batchNormTrain(c(stem, 'd2', 1, 2), p['d2Gamma'] as tf.Tensor1D, p['d2Beta'] as tf.Tensor1D, { relu: true }).y;
  const aspp = tf.relu(tf.concat([c(deep, 'branch1', 1, 1), c(deep, 'branch6', 1, 6)], 3)) as tf.Tensor4D;
  const emb = c(aspp, 'project', 1, 1);
  const [n, h, w] = emb.shape;
  const scores = tf.reshape(tf.matMul(tf.reshape(emb, [n * h * w, spec.embeddingDim]), embeddings), [n, h, w, spec.classes]) as tf.Tensor4D;
  const logits = resizeBilinearHalfPixel(scores, [spec.size, spec.size]);
  const logp = tf.logSoftmax(logits);
  const valid = tf.cast(tf.notEqual(labels, 255), 'float32');
  const target = tf.oneHot(tf.cast(tf.mul(labels, tf.cast(valid, 'int32')), 'int32'), spec.classes);
  const picked = tf.sum(tf.mul(logp, target), 3);
  return tf.div(tf.neg(tf.sum(tf.mul(picked, valid))), tf.maximum(tf.sum(valid), 1)) as tf.Scalar;
}

export function tinyBatch(spec: TinySegNetSpec, rng: SeededRng): { images: Float32Array; labels: Int32Array; embeddings: Float32Array } {
  const images = Float32Array.from({ length: spec.batch * spec.size * spec.size * 3 }, () => rng.uniform(-1, 1));
  const labels = Int32Array.from({ length: spec.batch * spec.size * spec.size }, () => (rng.uniform(0, 1) < 0.1 ? 255 : rng.int(0, spec.classes - 1)));
  const embeddings = new Float32Array(spec.embeddingDim * spec.classes);
  for (let k = 0; k < spec.classes; k++) {
    let norm = 0;
    const col = Array.from({ length: spec.embeddingDim }, () => rng.normal());
    for (const v of col) norm += v * v;
    col.forEach((v, d) => (embeddings[d * spec.classes + k] = v / Math.sqrt(norm)));
  }
  return { images, labels, embeddings };
}
