import type { Rng, SampleTransform, SegSample } from '@zls/core';
import { flipLabel } from './geometry';
import { HorizontalFlipTransform, type HorizontalFlipOptions } from './horizontal-flip-transform';
import { NORMALIZATIONS, normalizeInto } from './normalize-image';
import { NormalizeTransform, type NormalizeOptions, type WritesIntoBatch } from './normalize-transform';

/** horizontal-flip → normalize as one pass over the image, with the same draw and the same output. */
export class FusedFlipNormalize implements SampleTransform, WritesIntoBatch {
  constructor(
    readonly flip: HorizontalFlipOptions,
    readonly normalize: NormalizeOptions,
  ) {}

  apply(sample: SegSample, rng: Rng): SegSample {
    const out = new Float32Array(sample.image.data.length);
    const labels = this.applyInto(sample, rng, out, 0);
    return { ...labels, image: { data: out, height: sample.image.height, width: sample.image.width, channels: 3 } };
  }

  /** The returned sample's labels are flipped when the image was; its image is the input (written to dst). */
  applyInto(sample: SegSample, rng: Rng, dst: Float32Array, offset: number): SegSample {
    const flip = rng.next() < this.flip.probability;
    normalizeInto(sample.image, NORMALIZATIONS[this.normalize.preset], flip, dst, offset);
    if (!flip) return sample;
    return { id: sample.id, image: sample.image, target: flipLabel(sample.target), hidden: flipLabel(sample.hidden) };
  }
}

/** Replaces each horizontal-flip directly followed by normalize with the fused pass. */
export function fuseFlipNormalize(transforms: readonly SampleTransform[]): SampleTransform[] {
  const out: SampleTransform[] = [];
  for (let i = 0; i < transforms.length; i++) {
    const [a, b] = [transforms[i], transforms[i + 1]];
    if (a instanceof HorizontalFlipTransform && b instanceof NormalizeTransform) {
      out.push(new FusedFlipNormalize(a.options, b.options));
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}
