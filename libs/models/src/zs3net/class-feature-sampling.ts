import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@zls/core';

/** Nearest-neighbour label map at another size (half-pixel centres), e.g. ground truth at feature resolution. */
export function nearestLabels(labels: ArrayLike<number>, batch: number, h: number, w: number, outH: number, outW: number): Int32Array {
  const out = new Int32Array(batch * outH * outW);
  for (let n = 0; n < batch; n++)
    for (let i = 0; i < outH; i++) {
      const si = Math.min(h - 1, Math.floor(((i + 0.5) * h) / outH));
      for (let j = 0; j < outW; j++) {
        const sj = Math.min(w - 1, Math.floor(((j + 0.5) * w) / outW));
        out[(n * outH + i) * outW + j] = labels[(n * h + si) * w + sj];
      }
    }
  return out;
}

/**
 * Up to `perClass` pixel features of each listed class, drawn without replacement (ZS3Net trains its
 * generator on 128 sampled pixels per seen class). features [N,h,w,D]; labels [N·h·w] at the same resolution.
 * Classes with no pixel are absent from the result.
 */
export function sampleClassFeatures(features: tf.Tensor4D, labels: Int32Array, classes: readonly number[], perClass: number, rng: Rng): Map<number, tf.Tensor2D> {
  const [n, h, w, d] = features.shape;
  if (labels.length !== n * h * w) throw new Error(`sampleClassFeatures: ${labels.length} labels for ${n}×${h}×${w} feature pixels`);
  const positions = new Map<number, number[]>(classes.map((c) => [c, []]));
  labels.forEach((l, p) => positions.get(l)?.push(p));
  const out = new Map<number, tf.Tensor2D>();
  const flat = tf.reshape(features, [n * h * w, d]);
  for (const [c, list] of positions) {
    if (!list.length) continue;
    // Partial Fisher–Yates: the first k entries become a uniform sample without replacement.
    const k = Math.min(perClass, list.length);
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(rng.next() * (list.length - i));
      [list[i], list[j]] = [list[j], list[i]];
    }
    out.set(c, tf.gather(flat, list.slice(0, k)) as tf.Tensor2D);
  }
  flat.dispose();
  return out;
}
