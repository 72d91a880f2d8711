import * as tf from '@tensorflow/tfjs';

/** ZS3Net's kernel bandwidths (its code; the paper summary lists 60 where the code has 80). */
export const ZS3_MMD_SIGMAS: readonly number[] = [2, 5, 10, 20, 40, 80];

/** Σ_σ exp(−‖a_i − b_j‖² / (2σ²)) for every pair: [n, m]. */
function multiKernel(a: tf.Tensor2D, b: tf.Tensor2D, sigmas: readonly number[]): tf.Tensor2D {
  return tf.tidy(() => {
    const aa = tf.sum(tf.square(a), 1, true);
    const bb = tf.sum(tf.square(b), 1, true).transpose();
    // Clamp: the expanded form can go slightly negative by rounding.
    const d2 = tf.relu(tf.sub(tf.add(aa, bb), tf.mul(2, tf.matMul(a, b, false, true))));
    return tf.addN(sigmas.map((s) => tf.exp(tf.mul(d2, -1 / (2 * s * s))))) as tf.Tensor2D;
  });
}

/**
 * Squared maximum mean discrepancy with a sum of Gaussian kernels (biased estimator, as GMMN training uses):
 * mean K(x, x') + mean K(y, y') − 2 mean K(x, y). x: generated [n, d]; y: real [m, d].
 */
export function mmdLoss(x: tf.Tensor2D, y: tf.Tensor2D, sigmas: readonly number[] = ZS3_MMD_SIGMAS): tf.Scalar {
  if (x.shape[1] !== y.shape[1]) throw new Error(`mmdLoss: feature sizes differ (${x.shape[1]} vs ${y.shape[1]})`);
  return tf.tidy(() => tf.sub(tf.add(tf.mean(multiKernel(x, x, sigmas)), tf.mean(multiKernel(y, y, sigmas))), tf.mul(2, tf.mean(multiKernel(x, y, sigmas)))) as tf.Scalar);
}
