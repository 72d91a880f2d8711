import type { ImageBuffer } from '@zls/core';

/** out[c] = (in[source channel of c]·scale − mean[c]) / std[c], with output channels optionally reversed (RGB → BGR). */
export interface Normalization {
  readonly scale: number;
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly reverseChannels: boolean;
}

export type NormalizationPreset = 'caffe-bgr' | 'imagenet' | 'synthetic';

export const NORMALIZATIONS: Record<NormalizationPreset, Normalization> = {
  /** SPNet / STRICT: BGR order, subtract the Caffe mean (B, G, R), no scaling. */
  'caffe-bgr': { scale: 1, mean: [104.008, 116.669, 122.675], std: [1, 1, 1], reverseChannels: true },
  /** ZS3Net: RGB / 255, ImageNet mean and std. */
  imagenet: { scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], reverseChannels: false },
  /** The synthetic benchmark: (x / 255 − 0.5) / 0.25. */
  synthetic: { scale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], reverseChannels: false },
};

/** Normalises a 3-channel RGB image to float32. */
export function normalizeImage(image: ImageBuffer, n: Normalization): ImageBuffer {
  const out = new Float32Array(image.data.length);
  normalizeInto(image, n, false, out, 0);
  return { data: out, height: image.height, width: image.width, channels: 3 };
}

/**
 * Writes the normalised image into `dst` from `offset` (e.g. straight into a batch), mirrored left–right when
 * `flip`: one pass instead of a flip, a normalisation and a copy.
 */
export function normalizeInto(image: ImageBuffer, n: Normalization, flip: boolean, dst: Float32Array, offset: number): void {
  if (image.channels !== 3) throw new Error(`normalizeImage: expected 3 channels (RGB), got ${image.channels}`);
  const { data: src, height: H, width: W } = image;
  const m0 = n.scale / n.std[0];
  const m1 = n.scale / n.std[1];
  const m2 = n.scale / n.std[2];
  const a0 = -n.mean[0] / n.std[0];
  const a1 = -n.mean[1] / n.std[1];
  const a2 = -n.mean[2] / n.std[2];
  const [f0, f1, f2] = n.reverseChannels ? [2, 1, 0] : [0, 1, 2];
  const row = W * 3;
  for (let y = 0; y < H; y++) {
    let o = offset + y * row;
    // Flipped: walk the source row from its last pixel back.
    const step = flip ? -3 : 3;
    for (let x = 0, p = y * row + (flip ? row - 3 : 0); x < W; x++, p += step, o += 3) {
      dst[o] = src[p + f0] * m0 + a0;
      dst[o + 1] = src[p + f1] * m1 + a1;
      dst[o + 2] = src[p + f2] * m2 + a2;
    }
  }
}
