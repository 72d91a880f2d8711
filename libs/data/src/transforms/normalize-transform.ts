import 'reflect-metadata';
import { IsIn } from 'class-validator';
import { injectable } from 'tsyringe';
import type { Rng, SampleTransform, SegSample } from '@zls/core';
import { NORMALIZATIONS, normalizeImage, normalizeInto, type NormalizationPreset } from './normalize-image';

export class NormalizeOptions {
  @IsIn(Object.keys(NORMALIZATIONS)) preset: NormalizationPreset = 'caffe-bgr';
}

/** A final step that can write its image straight into a batch buffer; returns the sample's labels. */
export interface WritesIntoBatch {
  applyInto(sample: SegSample, rng: Rng, dst: Float32Array, offset: number): SegSample;
}

/** Turns the uint8 RGB image into the float32 network input of the chosen convention; labels untouched. */
@injectable()
export class NormalizeTransform implements SampleTransform, WritesIntoBatch {
  constructor(readonly options: NormalizeOptions) {}

  apply(sample: SegSample, _rng: Rng): SegSample {
    return { ...sample, image: normalizeImage(sample.image, NORMALIZATIONS[this.options.preset]) };
  }

  /** The returned sample keeps the input image (already written to dst). */
  applyInto(sample: SegSample, _rng: Rng, dst: Float32Array, offset: number): SegSample {
    normalizeInto(sample.image, NORMALIZATIONS[this.options.preset], false, dst, offset);
    return sample;
  }
}
