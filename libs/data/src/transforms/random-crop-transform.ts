import 'reflect-metadata';
import { IsInt, Max, Min } from 'class-validator';
import { injectable } from 'tsyringe';
import { ZlsError, type Rng, type SampleTransform, type SegSample } from '@zls/core';
import { cropImage, cropLabel, mapGeometry } from './geometry';

export class RandomCropOptions {
  @IsInt() @Min(1) @Max(8192) height = 321;
  @IsInt() @Min(1) @Max(8192) width = 321;
}

/** A uniformly placed height × width window; the sample must already be at least that large (pad first). */
@injectable()
export class RandomCropTransform implements SampleTransform {
  constructor(readonly options: RandomCropOptions) {}

  apply(sample: SegSample, rng: Rng): SegSample {
    const { height, width } = this.options;
    const { height: H, width: W } = sample.image;
    if (H < height || W < width) {
      throw new ZlsError(`random-crop: sample ${sample.id} is ${H}×${W}, smaller than the ${height}×${width} crop; add a pad transform before it`);
    }
    const top = Math.floor(rng.next() * (H - height + 1));
    const left = Math.floor(rng.next() * (W - width + 1));
    return mapGeometry(
      sample,
      (im) => cropImage(im, top, left, height, width),
      (lb) => cropLabel(lb, top, left, height, width),
    );
  }
}
