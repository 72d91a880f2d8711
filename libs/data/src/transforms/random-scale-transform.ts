import 'reflect-metadata';
import { IsBoolean, IsNumber, Max, Min } from 'class-validator';
import { injectable } from 'tsyringe';
import { ConfigError, IGNORE_INDEX, type Rng, type SampleTransform, type SegSample } from '@zls/core';
import { cropImage, cropLabel, mapGeometry, padImage, padLabel } from './geometry';
import { resizeBilinear } from './resize-bilinear';
import { resizeNearest } from './resize-nearest';

export class RandomScaleOptions {
  @IsNumber() @Min(0.01) @Max(100) min = 0.5;
  @IsNumber() @Min(0.01) @Max(100) max = 1.5;
  /**
   * Bring the scaled sample back to its own size: pad bottom/right (labels 255, image `padValue`), then a random
   * crop, as the reference loader's pad-then-crop does when its crop equals the image (the synthetic protocol).
   */
  @IsBoolean() keepSize = false;
  /** Image fill of that padding, on the raw pixels (STRICT pads with 0 before subtracting the mean). */
  @IsNumber() padValue = 0;
}

/** Scales by s ~ U(min, max); the new size is floor(side·s), as the reference code's int() does. */
@injectable()
export class RandomScaleTransform implements SampleTransform {
  constructor(readonly options: RandomScaleOptions) {
    if (options.min > options.max) {
      throw new ConfigError([{ path: 'random-scale.min', message: `min ${options.min} is larger than max ${options.max}` }]);
    }
  }

  apply(sample: SegSample, rng: Rng): SegSample {
    const s = this.options.min + (this.options.max - this.options.min) * rng.next();
    const { height: H, width: W } = sample.image;
    const outH = Math.max(1, Math.floor(H * s));
    const outW = Math.max(1, Math.floor(W * s));
    const scaled = mapGeometry(
      sample,
      (im) => resizeBilinear(im, outH, outW),
      (lb) => resizeNearest(lb, outH, outW),
    );
    if (!this.options.keepSize) return scaled;
    const padH = Math.max(outH, H);
    const padW = Math.max(outW, W);
    const top = Math.floor(rng.next() * (padH - H + 1));
    const left = Math.floor(rng.next() * (padW - W + 1));
    return mapGeometry(
      scaled,
      (im) => cropImage(padImage(im, padH, padW, this.options.padValue), top, left, H, W),
      (lb) => cropLabel(padLabel(lb, padH, padW, IGNORE_INDEX), top, left, H, W),
    );
  }
}
