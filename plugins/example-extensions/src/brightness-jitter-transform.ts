import 'reflect-metadata';
import { IsNumber, Max, Min } from 'class-validator';
import { injectable } from 'tsyringe';
import type { ImageBuffer, Rng, SampleTransform, SegSample } from '@zls/core';

export class BrightnessJitterOptions {
  /** The image is multiplied by a factor drawn uniformly from [1 − strength, 1 + strength]. */
  @IsNumber() @Min(0) @Max(1) strength = 0.2;
}

/**
 * A photometric augmentation: one random brightness factor per sample. Labels are untouched. A decoded uint8
 * image is rounded and clamped to 0–255; a float image (after normalisation) is scaled as it is.
 */
@injectable()
export class BrightnessJitterTransform implements SampleTransform {
  constructor(readonly options: BrightnessJitterOptions) {}

  apply(sample: SegSample, rng: Rng): SegSample {
    const factor = 1 + this.options.strength * (2 * rng.next() - 1);
    return { ...sample, image: scaleImage(sample.image, factor) };
  }
}

function scaleImage(image: ImageBuffer, factor: number): ImageBuffer {
  const n = image.data.length;
  if (image.data instanceof Uint8Array) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.min(255, Math.round(image.data[i] * factor));
    return { ...image, data: out };
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = image.data[i] * factor;
  return { ...image, data: out };
}
