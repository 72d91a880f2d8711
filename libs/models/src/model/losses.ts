import * as tf from '@tensorflow/tfjs';
import { softmaxCrossEntropy } from '@zls/backend';

/**
 * Mean cross-entropy over pixels whose target is not `ignore` (255). scores [N,H,W,C]; targets [N,H,W]
 * int32 with values in 0..C−1 or `ignore`; optional per-class weights (ZS3Net weighs unseen classes 100×),
 * normalised by the summed weight of the counted pixels as PyTorch does.
 */
export function maskedCrossEntropy(scores: tf.Tensor4D, targets: tf.Tensor3D, ignore = 255, classWeights?: readonly number[]): tf.Scalar {
  // Unweighted: the backend's fused loss (one onnxruntime graph per direction on wasm-ort).
  if (!classWeights) return tf.tidy(() => softmaxCrossEntropy(scores, targets.toInt(), ignore));
  return tf.tidy(() => {
    const c = scores.shape[3];
    const flat = targets.reshape([-1]).toInt();
    const valid = tf.notEqual(flat, ignore);
    const safe = tf.where(valid, flat, tf.zerosLike(flat));
    const flatScores = scores.reshape([-1, c]);
    // log softmax of the target = its score − logsumexp (tf.logSoftmax trips tfjs' leak check on wasm).
    const picked = tf.sub(tf.sum(tf.mul(flatScores, tf.oneHot(safe, c)), 1), tf.logSumExp(flatScores, 1));
    let w = valid.toFloat();
    if (classWeights) w = tf.mul(w, tf.gather(tf.tensor1d(Array.from(classWeights)), safe));
    const total = tf.sum(w);
    return tf.div(tf.neg(tf.sum(tf.mul(picked, w))), tf.maximum(total, 1e-12)) as tf.Scalar;
  });
}
