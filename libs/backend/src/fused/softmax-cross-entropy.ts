import * as tf from '@tensorflow/tfjs';
import { ZlsError } from '@zls/core';

export const SOFTMAX_CROSS_ENTROPY = 'ZlsSoftmaxCrossEntropy';
export const SOFTMAX_CROSS_ENTROPY_GRAD = 'ZlsSoftmaxCrossEntropyGrad';

export interface SoftmaxCrossEntropyAttrs {
  ignoreIndex: number;
}

function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** The same loss in tfjs ops, for backends without the fused kernel. */
function composite(logits: tf.Tensor2D, labels: tf.Tensor1D, ignoreIndex: number): tf.Scalar {
  return tf.tidy(() => {
    const classes = logits.shape[1];
    const valid = tf.notEqual(labels, ignoreIndex);
    // Compare with 0..C−1 instead of tf.oneHot, which refuses a single class (a stage may see only one).
    const codes = tf.cast(tf.where(valid, labels, tf.zerosLike(labels)), 'int32');
    const oneHot = tf.cast(tf.equal(tf.expandDims(codes, 1), tf.range(0, classes, 1, 'int32')), 'float32');
    const validF = tf.cast(valid, 'float32');
    const picked = tf.sum(tf.mul(tf.logSoftmax(logits), tf.mul(oneHot, tf.expandDims(validF, 1))));
    return tf.div(tf.neg(picked), tf.maximum(tf.sum(validF), 1)) as tf.Scalar;
  });
}

/**
 * Mean softmax cross-entropy of `logits` [..., C] against integer class `labels` [...] (same leading shape),
 * over the entries whose label is not `ignoreIndex` (255 by default); 0 when every entry is ignored. On
 * wasm-ort forward and gradient are one onnxruntime graph each. Gradient flows to logits only.
 */
export function softmaxCrossEntropy(logits: tf.Tensor, labels: tf.Tensor, ignoreIndex = 255): tf.Scalar {
  const classes = logits.shape[logits.rank - 1];
  const lead = logits.shape.slice(0, -1);
  if (labels.shape.length !== lead.length || labels.shape.some((d, i) => d !== lead[i])) {
    throw new ZlsError(`softmaxCrossEntropy: labels [${labels.shape}] must match logits [${logits.shape}] without its last axis`);
  }
  const rows = lead.reduce((a, b) => a * b, 1);
  return tf.tidy(() => {
    const flat = tf.reshape(logits, [rows, classes]) as tf.Tensor2D;
    // Labels travel as float32 (exact for class indices) since the fused kernels take float inputs.
    const codes = tf.cast(tf.reshape(labels, [rows]), 'float32') as tf.Tensor1D;
    if (hasKernel(SOFTMAX_CROSS_ENTROPY)) {
      return tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY, { logits: flat, labels: codes }, { ignoreIndex } as unknown as tf.NamedAttrMap) as tf.Scalar;
    }
    return composite(flat, codes, ignoreIndex);
  });
}

export const softmaxCrossEntropyGradConfig: tf.GradConfig = {
  kernelName: SOFTMAX_CROSS_ENTROPY,
  inputsToSave: ['logits', 'labels'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [logits, labels] = saved;
    const dloss = Array.isArray(dy) ? dy[0] : dy;
    const ignoreIndex = (attrs as unknown as SoftmaxCrossEntropyAttrs).ignoreIndex;
    return {
      logits: () =>
        hasKernel(SOFTMAX_CROSS_ENTROPY_GRAD)
          ? (tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY_GRAD, { logits, labels, dloss }, attrs) as tf.Tensor)
          : tf.tidy(() => tf.mul(tf.grad((l: tf.Tensor) => composite(l as tf.Tensor2D, labels as tf.Tensor1D, ignoreIndex))(logits), dloss)),
      labels: () => tf.zerosLike(labels),
    };
  },
};
