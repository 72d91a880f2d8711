import * as tf from '@tensorflow/tfjs';
import { resizeLabelsNearest, softmaxCrossEntropy } from '@zls/backend';
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
 * Runs as the backend's fused loss (one onnxruntime graph forward and one backward on wasm-ort).
 */
export function maskedCrossEntropy(scores: tf.Tensor4D, positions: Int32Array, valid: number): tf.Scalar {
  const [n, h, w, k] = scores.shape;
  if (positions.length !== n * h * w) throw new Error(`${positions.length} targets for ${n * h * w} score pixels`);
  if (k >= IGNORE_INDEX) throw new Error(`${k} classes: at most ${IGNORE_INDEX - 1} fit beside the ignore label`);
  const labels = new Int32Array(positions.length);
  for (let i = 0; i < labels.length; i++) labels[i] = positions[i] < 0 ? IGNORE_INDEX : positions[i];
  void valid; // the fused loss counts valid pixels itself; `valid` stays for callers that log it
  return tf.tidy(() => softmaxCrossEntropy(scores, tf.tensor3d(labels, [n, h, w], 'int32'), IGNORE_INDEX));
}

/**
 * SPNet's multi-scale loss (method.md §4.1, the reference's train.py): the sum over its outputs (each scale's
 * scores on its own grid, then their max) of the masked cross-entropy against the targets resized nearest to
 * that output's grid (OpenCV's INTER_NEAREST, the reference's `resize_target`), each a mean over its own valid
 * pixels. `positions` are the N·H·W targets of the batch at `shape` [N, H, W].
 */
export function multiScaleCrossEntropy(outputs: readonly tf.Tensor4D[], positions: Int32Array, shape: readonly [number, number, number]): tf.Scalar {
  if (outputs.length === 0) throw new Error('multiScaleCrossEntropy: no outputs');
  return tf.tidy(() => {
    const terms = outputs.map((scores) => {
      const [n, h, w] = scores.shape;
      if (n !== shape[0]) throw new Error(`multiScaleCrossEntropy: an output of batch ${n} for targets of batch ${shape[0]}`);
      return maskedCrossEntropy(scores, resizeLabelsNearest(positions, shape, [h, w]), 0);
    });
    return (terms.length === 1 ? terms[0] : tf.addN(terms)) as tf.Scalar;
  });
}
