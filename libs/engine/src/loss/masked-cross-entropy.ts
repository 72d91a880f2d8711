import * as tf from '@tensorflow/tfjs';
import { IGNORE_INDEX, type LabelMap } from '@zls/core';

/**
 * Maps output-index targets to positions in `classes` (the classes the scores cover, in order);
 * any other value, IGNORE_INDEX included, becomes -1. Returns the positions and how many are valid.
 */
export function targetPositions(targets: readonly LabelMap[], classes: readonly number[]): { positions: Int32Array; valid: number } {
  const lut = new Int32Array(256).fill(-1);
  classes.forEach((c, k) => {
    if (c === IGNORE_INDEX) throw new Error('IGNORE_INDEX cannot be a class');
    lut[c] = k;
  });
  const total = targets.reduce((a, t) => a + t.data.length, 0);
  const positions = new Int32Array(total);
  let offset = 0;
  let valid = 0;
  for (const t of targets) {
    for (let i = 0; i < t.data.length; i++) {
      const k = lut[t.data[i]];
      positions[offset + i] = k;
      if (k >= 0) valid++;
    }
    offset += t.data.length;
  }
  return { positions, valid };
}

/**
 * Mean softmax cross-entropy over the pixels whose position is ≥ 0 (the reference's ignore label −1),
 * averaged jointly over every valid pixel of the batch. scores: [N, H, W, K]; positions: N·H·W values.
 * The one-hot rows compare each position with 0..K−1, so −1 gives an all-zero row and contributes nothing
 * (tf.oneHot would refuse K = 1, a case a single visible class produces).
 */
export function maskedCrossEntropy(scores: tf.Tensor4D, positions: Int32Array, valid: number): tf.Scalar {
  const [n, h, w, k] = scores.shape;
  if (positions.length !== n * h * w) throw new Error(`${positions.length} targets for ${n * h * w} score pixels`);
  return tf.tidy(() => {
    const logp = tf.logSoftmax(tf.reshape(scores, [n * h * w, k]));
    const onehot = tf.cast(tf.equal(tf.expandDims(tf.tensor1d(positions, 'int32'), 1), tf.range(0, k, 1, 'int32')), 'float32');
    return tf.div(tf.neg(tf.sum(tf.mul(logp, onehot))), Math.max(valid, 1)) as tf.Scalar;
  });
}
