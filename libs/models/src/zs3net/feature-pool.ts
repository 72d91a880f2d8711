import * as tf from '@tensorflow/tfjs';
import { IGNORE_INDEX, type Rng, type TrainingBatch } from '@zls/core';
import { nearestLabels } from './class-feature-sampling';

/**
 * Up to `capacity` real pixel features per class, a uniform reservoir sample over every labelled pixel seen:
 * the generator and the classifier then train from memory instead of re-running the network.
 */
export class FeaturePool {
  private readonly rows = new Map<number, Float32Array[]>();
  private readonly seen = new Map<number, number>();

  constructor(
    readonly dim: number,
    readonly capacity: number,
    private readonly rng: Rng,
  ) {}

  add(label: number, feature: Float32Array): void {
    const count = (this.seen.get(label) ?? 0) + 1;
    this.seen.set(label, count);
    const list = this.rows.get(label) ?? [];
    this.rows.set(label, list);
    if (list.length < this.capacity) list.push(feature.slice());
    else {
      const j = Math.floor(this.rng.next() * count);
      if (j < this.capacity) list[j] = feature.slice();
    }
  }

  classes(): number[] {
    return [...this.rows.keys()].sort((a, b) => a - b);
  }

  size(label: number): number {
    return this.rows.get(label)?.length ?? 0;
  }

  /** `count` rows of a class drawn with replacement, as a [count, dim] tensor. */
  sample(label: number, count: number): tf.Tensor2D {
    const list = this.rows.get(label);
    if (!list?.length) throw new Error(`feature pool has no pixel of class ${label}`);
    const out = new Float32Array(count * this.dim);
    for (let i = 0; i < count; i++) out.set(list[Math.floor(this.rng.next() * list.length)], i * this.dim);
    return tf.tensor2d(out, [count, this.dim]);
  }
}

/** One pass of the frozen network over the training set, pooling the features of pixels with a (seen) target. */
export async function collectFeaturePool(
  features: (images: tf.Tensor4D) => tf.Tensor4D,
  batches: AsyncIterable<TrainingBatch>,
  pool: FeaturePool,
): Promise<void> {
  for await (const batch of batches) {
    const [n, h, w] = batch.shape;
    const images = tf.tensor4d(batch.images, batch.shape as [number, number, number, number]);
    const out = features(images);
    images.dispose();
    const [, fh, fw, d] = out.shape;
    const data = (await out.data()) as Float32Array;
    out.dispose();
    const targets = new Uint8Array(n * h * w);
    batch.targets.forEach((t, i) => targets.set(t.data, i * h * w));
    const labels = nearestLabels(targets, n, h, w, fh, fw);
    labels.forEach((label, p) => {
      if (label !== IGNORE_INDEX) pool.add(label, data.subarray(p * d, (p + 1) * d));
    });
  }
}
