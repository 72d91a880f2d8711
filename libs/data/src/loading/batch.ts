import { DataError, type SegSample } from '@zls/core';

/** A batch as the trainer consumes it: NHWC float32 images and N×H×W label maps in output-index space. */
export interface Batch {
  readonly epoch: number;
  /** Position of this batch in its epoch. */
  readonly batchIndex: number;
  /** Dataset indices of the samples, in batch order. */
  readonly indices: readonly number[];
  readonly ids: readonly string[];
  readonly size: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly images: Float32Array;
  readonly targets: Uint8Array;
  readonly hidden: Uint8Array;
}

/** Packs transformed samples into one batch; all samples must share one size (crop or resize before). */
export function assembleBatch(
  samples: readonly SegSample[],
  epoch: number,
  batchIndex: number,
  indices: readonly number[],
  source: string,
  /** Images already written in batch order (the samples' own images are then not copied). */
  packedImages?: Float32Array,
): Batch {
  const first = samples[0];
  const { height, width, channels } = first.image;
  const pixels = height * width;
  const images = packedImages ?? new Float32Array(samples.length * pixels * channels);
  const targets = new Uint8Array(samples.length * pixels);
  const hidden = new Uint8Array(samples.length * pixels);
  samples.forEach((s, n) => {
    checkSameSize(s, first, source);
    if (!packedImages) images.set(s.image.data, n * pixels * channels);
    targets.set(s.target.data, n * pixels);
    hidden.set(s.hidden.data, n * pixels);
  });
  return { epoch, batchIndex, indices, ids: samples.map((s) => s.id), size: samples.length, height, width, channels, images, targets, hidden };
}

/** A batch needs one size: the sample's image and labels must match the first sample's image. */
export function checkSameSize(s: SegSample, first: SegSample, source: string): void {
  const { height, width, channels } = first.image;
  const im = s.image;
  if (im.height !== height || im.width !== width || im.channels !== channels) {
    throw new DataError(
      source,
      `sample ${s.id} is ${im.height}×${im.width}×${im.channels} but ${first.id} is ${height}×${width}×${channels}; ` +
        'batched samples need one size (add resize or crop transforms)',
    );
  }
  for (const [name, label] of [['target', s.target], ['hidden', s.hidden]] as const) {
    if (label.height !== height || label.width !== width) {
      throw new DataError(source, `sample ${s.id}: ${name} is ${label.height}×${label.width}, image is ${height}×${width}`);
    }
  }
}
