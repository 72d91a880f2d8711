import * as tf from '@tensorflow/tfjs';
import { batchNormTrain, resizeBilinearHalfPixel, softmaxCrossEntropy } from '@zls/backend';

/**
 * The reference model of docs/engine-measurements.md: a small DeepLab-like net (stem, residual block, dilated conv,
 * ASPP with image pooling, decoder with low-level features, 300-d embeddings scored against fixed class
 * embeddings, bilinear ×4, log-softmax, cross-entropy with ignore label 255). Batch norm after every conv but
 * the last. bench/engine/reference_model.py builds the same net in PyTorch.
 */
export interface ConvLayer {
  name: string;
  k: number;
  cin: number;
  cout: number;
  stride: number;
  dilation: number;
  bn: boolean;
}

export const EMBEDDING_DIM = 300;
export const NUM_CLASSES = 21;

const c = (name: string, k: number, cin: number, cout: number, stride = 1, dilation = 1, bn = true): ConvLayer => ({ name, k, cin, cout, stride, dilation, bn });

export const LAYERS: ConvLayer[] = [
  c('stem1', 3, 3, 32, 2),
  c('stem2', 3, 32, 32),
  c('low', 3, 32, 64, 2),
  c('res1', 3, 64, 64),
  c('res2', 3, 64, 64),
  c('down', 3, 64, 128, 2),
  c('dil2', 3, 128, 128, 1, 2),
  c('aspp1', 1, 128, 64),
  c('aspp6', 3, 128, 64, 1, 6),
  c('aspp12', 3, 128, 64, 1, 12),
  c('asppPool', 1, 128, 64),
  c('asppProject', 1, 256, 128),
  c('lowReduce', 1, 64, 32),
  c('decoder', 3, 160, 64),
  c('embed', 1, 64, EMBEDDING_DIM, 1, 1, false),
];

export type Params = Record<string, tf.Variable>;

/** He-normal conv weights (HWIO), unit BN scale, zero shift; deterministic from `seed`. */
export function createParams(seed: number): Params {
  // tidy frees the initial values; the variables themselves survive it.
  return tf.tidy(() => createParamsUntidy(seed)) as unknown as Params;
}

function createParamsUntidy(seed: number): Params {
  const params: Params = {};
  for (const l of LAYERS) {
    params[`${l.name}.w`] = tf.variable(tf.randomNormal([l.k, l.k, l.cin, l.cout], 0, Math.sqrt(2 / (l.k * l.k * l.cin)), 'float32', seed++));
    if (l.bn) {
      params[`${l.name}.gamma`] = tf.variable(tf.ones([l.cout]));
      params[`${l.name}.beta`] = tf.variable(tf.zeros([l.cout]));
    } else {
      params[`${l.name}.b`] = tf.variable(tf.zeros([l.cout]));
    }
  }
  return params;
}

/** Fixed, L2-normalised class embeddings [300, 21]. */
export function createEmbeddings(seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    const e = tf.randomNormal([EMBEDDING_DIM, NUM_CLASSES], 0, 1, 'float32', seed);
    return tf.div(e, tf.norm(e, 'euclidean', 0, true)) as tf.Tensor2D;
  });
}

const LAYER = new Map(LAYERS.map((l) => [l.name, l]));

let fusedBatchNorm = true;
/**
 * Training batch norm and the loss through zls' fused ops (default), or composed from tfjs ops, for
 * comparison.
 */
export function useFusedBatchNorm(on: boolean): void {
  fusedBatchNorm = on;
}

function conv(p: Params, name: string, x: tf.Tensor4D, training: boolean, relu = true): tf.Tensor4D {
  const l = LAYER.get(name);
  if (!l) throw new Error(`unknown layer ${name}`);
  let y = tf.conv2d(x, p[`${name}.w`] as tf.Tensor4D, l.stride, 'same', 'NHWC', l.dilation);
  if (!l.bn) return tf.add(y, p[`${name}.b`]);
  if (training && fusedBatchNorm) {
    return batchNormTrain(y, p[`${name}.gamma`] as tf.Tensor1D, p[`${name}.beta`] as tf.Tensor1D, { relu, epsilon: 1e-5 }).y;
  }
  // Training: batch statistics. Inference: running statistics, which a fresh net holds at mean 0, variance 1.
  if (training) {
    const { mean, variance } = tf.moments(y, [0, 1, 2]);
    y = tf.div(tf.sub(y, mean), tf.sqrt(tf.add(variance, 1e-5)));
  } else {
    y = tf.div(y, Math.sqrt(1 + 1e-5));
  }
  y = tf.add(tf.mul(y, p[`${name}.gamma`]), p[`${name}.beta`]);
  return relu ? tf.relu(y) : y;
}

/** Per-pixel class log-probabilities [N, H, W, 21]. */
export function forward(p: Params, images: tf.Tensor4D, embeddings: tf.Tensor2D, training: boolean): tf.Tensor4D {
  return tf.logSoftmax(logits(p, images, embeddings, training));
}

/** Per-pixel class scores [N, H, W, 21], upsampled to the input size. */
export function logits(p: Params, images: tf.Tensor4D, embeddings: tf.Tensor2D, training: boolean): tf.Tensor4D {
  const [n, h, w] = images.shape;
  let x = conv(p, 'stem1', images, training);
  x = conv(p, 'stem2', x, training);
  const low = conv(p, 'low', x, training);
  const r = conv(p, 'res2', conv(p, 'res1', low, training), training, false);
  x = tf.relu(tf.add(r, low)) as tf.Tensor4D;
  x = conv(p, 'down', x, training);
  x = conv(p, 'dil2', x, training);
  const [, ah, aw] = x.shape;
  // Broadcast by adding to zeros: its gradient is one reduction, where Tile's is a slice per position.
  const pooled = tf.add(conv(p, 'asppPool', tf.mean(x, [1, 2], true) as tf.Tensor4D, training), tf.zeros([n, ah, aw, 64])) as tf.Tensor4D;
  const aspp = tf.concat<tf.Tensor4D>(
    [conv(p, 'aspp1', x, training), conv(p, 'aspp6', x, training), conv(p, 'aspp12', x, training), pooled],
    3,
  );
  x = conv(p, 'asppProject', aspp, training);
  x = resizeBilinearHalfPixel(x, [ah * 2, aw * 2]);
  x = tf.concat<tf.Tensor4D>([x, conv(p, 'lowReduce', low, training)], 3);
  x = conv(p, 'decoder', x, training);
  const emb = conv(p, 'embed', x, training, false);
  const [, eh, ew] = emb.shape;
  const scores = tf.reshape(tf.matMul(tf.reshape(emb, [n * eh * ew, EMBEDDING_DIM]), embeddings), [n, eh, ew, NUM_CLASSES]) as tf.Tensor4D;
  return resizeBilinearHalfPixel(scores, [h, w]);
}

/** Mean cross-entropy over labelled pixels (255 = ignore). */
export function loss(p: Params, images: tf.Tensor4D, labels: tf.Tensor3D, embeddings: tf.Tensor2D): tf.Scalar {
  if (fusedBatchNorm) return softmaxCrossEntropy(logits(p, images, embeddings, true), labels, 255);
  const logp = forward(p, images, embeddings, true);
  const valid = tf.notEqual(labels, 255);
  const target = tf.oneHot(tf.where(valid, labels, tf.zerosLike(labels)), NUM_CLASSES);
  const validF = tf.cast(valid, 'float32');
  const nll = tf.neg(tf.sum(tf.mul(logp, target), 3));
  return tf.div(tf.sum(tf.mul(nll, validF)), tf.maximum(tf.sum(validF), 1)) as tf.Scalar;
}
