import 'reflect-metadata';
import { IsNumber, Max, Min } from 'class-validator';
import { injectable } from 'tsyringe';
import { ConfigError, type Rng, type SampleTransform, type SegSample } from '@zls/core';
import { mapGeometry } from './geometry';
import { resizeBilinear } from './resize-bilinear';
import { resizeNearest } from './resize-nearest';

export class RandomScaleOptions {
  @IsNumber() @Min(0.01) @Max(100) min = 0.5;
  @IsNumber() @Min(0.01) @Max(100) max = 1.5;
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
    const outH = Math.max(1, Math.floor(sample.image.height * s));
    const outW = Math.max(1, Math.floor(sample.image.width * s));
    return mapGeometry(
      sample,
      (im) => resizeBilinear(im, outH, outW),
      (lb) => resizeNearest(lb, outH, outW),
    );
  }
}
