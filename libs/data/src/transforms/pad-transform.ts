import 'reflect-metadata';
import { IsInt, IsNumber, Max, Min } from 'class-validator';
import { injectable } from 'tsyringe';
import { IGNORE_INDEX, type Rng, type SampleTransform, type SegSample } from '@zls/core';
import { mapGeometry, padImage, padLabel } from './geometry';

export class PadOptions {
  /** Minimum height and width after padding (the reference pads to max(513, crop) = 513). */
  @IsInt() @Min(1) @Max(8192) height = 513;
  @IsInt() @Min(1) @Max(8192) width = 513;
  /** Image fill value: 0 on raw pixels (STRICT: pad, then subtract the mean) or after normalising (SPNet). */
  @IsNumber() imageValue = 0;
}

/** Pads at the bottom and right to at least height × width: image with imageValue, labels with 255 (ignore). */
@injectable()
export class PadTransform implements SampleTransform {
  constructor(readonly options: PadOptions) {}

  apply(sample: SegSample, _rng: Rng): SegSample {
    const outH = Math.max(sample.image.height, this.options.height);
    const outW = Math.max(sample.image.width, this.options.width);
    if (outH === sample.image.height && outW === sample.image.width) return sample;
    return mapGeometry(
      sample,
      (im) => padImage(im, outH, outW, this.options.imageValue),
      (lb) => padLabel(lb, outH, outW, IGNORE_INDEX),
    );
  }
}
