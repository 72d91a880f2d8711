import * as tf from '@tensorflow/tfjs';
import type { LabelMap, SegmentationModel } from '@zls/core';

/**
 * Per pixel: the most probable seen class and unseen class with their softmax probabilities (over all
 * classes). Enough to take the calibrated argmax for ANY γ without running the model again:
 * argmax_c (p_c − γ·[c seen]) is the seen winner when p_seen − γ ≥ p_unseen, else the unseen winner.
 */
export interface CalibrationStats {
  readonly height: number;
  readonly width: number;
  readonly seenIndex: Uint8Array;
  readonly seenProb: Float32Array;
  readonly unseenIndex: Uint8Array;
  readonly unseenProb: Float32Array;
}

export async function calibrationStats(
  model: SegmentationModel,
  images: tf.Tensor4D,
  seenIndices: readonly number[],
  unseenIndices: readonly number[],
): Promise<CalibrationStats[]> {
  const [n, h, w] = images.shape;
  const order = [...seenIndices, ...unseenIndices];
  const parts = tf.tidy(() => {
    const probs = tf.softmax(model.forward(images, false, order));
    const seen = tf.slice(probs, [0, 0, 0, 0], [-1, -1, -1, seenIndices.length]);
    const unseen = tf.slice(probs, [0, 0, 0, seenIndices.length], [-1, -1, -1, unseenIndices.length]);
    return [tf.argMax(seen, 3), tf.max(seen, 3), tf.argMax(unseen, 3), tf.max(unseen, 3)];
  });
  const [sArg, sMax, uArg, uMax] = await Promise.all(parts.map((t) => t.data()));
  tf.dispose(parts);
  const size = h * w;
  return Array.from({ length: n }, (_, i) => {
    const seenIndex = new Uint8Array(size);
    const unseenIndex = new Uint8Array(size);
    for (let p = 0; p < size; p++) {
      seenIndex[p] = seenIndices[sArg[i * size + p]];
      unseenIndex[p] = unseenIndices.length ? unseenIndices[uArg[i * size + p]] : 0;
    }
    return {
      height: h,
      width: w,
      seenIndex,
      seenProb: Float32Array.from((sMax as Float32Array).subarray(i * size, (i + 1) * size)),
      unseenIndex,
      unseenProb: unseenIndices.length ? Float32Array.from((uMax as Float32Array).subarray(i * size, (i + 1) * size)) : new Float32Array(size).fill(-Infinity),
    };
  });
}

/** The prediction under calibration γ (γ = 0: the plain argmax over all classes). */
export function calibratedPrediction(stats: CalibrationStats, gamma: number): LabelMap {
  const n = stats.seenIndex.length;
  const data = new Uint8Array(n);
  for (let p = 0; p < n; p++) data[p] = stats.seenProb[p] - gamma >= stats.unseenProb[p] ? stats.seenIndex[p] : stats.unseenIndex[p];
  return { data, height: stats.height, width: stats.width };
}
