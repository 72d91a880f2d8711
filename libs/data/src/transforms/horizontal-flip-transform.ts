import 'reflect-metadata';
import { IsNumber, Max, Min } from 'class-validator';
import { injectable } from 'tsyringe';
import type { Rng, SampleTransform, SegSample } from '@zls/core';
import { flipImage, flipLabel, mapGeometry } from './geometry';

export class HorizontalFlipOptions {
  /** 0.5 as SPNet; the STRICT code flips with probability 0.9 (`rand > 0.1`). */
  @IsNumber() @Min(0) @Max(1) probability = 0.5;
}

/** Mirrors left–right with the given probability (one uniform draw per sample, drawn even when p is 0 or 1). */
@injectable()
export class HorizontalFlipTransform implements SampleTransform {
  constructor(readonly options: HorizontalFlipOptions) {}

  apply(sample: SegSample, rng: Rng): SegSample {
    if (rng.next() >= this.options.probability) return sample;
    return flipSample(sample);
  }
}

export function flipSample(sample: SegSample): SegSample {
  return mapGeometry(sample, flipImage, flipLabel);
}
