import * as tf from '@tensorflow/tfjs';

/**
 * SPNet's semantic projection scores: s_c(p) = φ(x)_p · w_c for fixed class embeddings w_c.
 * No temperature and no feature normalisation (the reference does neither).
 * features: [N, H, W, D]; embeddings: [C, D] → scores [N, H, W, C].
 */
export function embeddingScores(features: tf.Tensor4D, embeddings: tf.Tensor2D): tf.Tensor4D {
  const [n, h, w, d] = features.shape;
  if (embeddings.shape[1] !== d) {
    throw new Error(`features have ${d} channels but the class embeddings have ${embeddings.shape[1]} dimensions`);
  }
  return tf.tidy(() => tf.matMul(tf.reshape(features, [n * h * w, d]), embeddings, false, true).reshape([n, h, w, embeddings.shape[0]]));
}

/**
 * SPNet-c calibration: subtract γ from the softmax probabilities of the seen classes before the argmax,
 * which shifts decisions towards unseen classes. Returns the calibrated probabilities.
 */
export function calibratedProbabilities(scores: tf.Tensor4D, seenIndices: readonly number[], gamma: number): tf.Tensor4D {
  const numClasses = scores.shape[3];
  const offsets = new Float32Array(numClasses);
  for (const c of seenIndices) {
    if (c < 0 || c >= numClasses) throw new Error(`seen index ${c} outside 0..${numClasses - 1}`);
    offsets[c] = gamma;
  }
  return tf.tidy(() => tf.sub(tf.softmax(scores), tf.tensor1d(offsets)) as tf.Tensor4D);
}
