import 'reflect-metadata';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { injectable } from 'tsyringe';
import type { Rng, SampleTransform, SegSample } from '@zls/core';
import { mapGeometry } from './geometry';
import { resizeBilinear } from './resize-bilinear';
import { resizeNearest } from './resize-nearest';

export class ResizeOptions {
  /** 'warp': size × size ignoring aspect (the reference code's WARP_IMAGE); 'short-side': short side = size. */
  @IsIn(['warp', 'short-side']) mode: 'warp' | 'short-side' = 'warp';
  @IsInt() @Min(1) @Max(8192) size = 513;
}

/** Resizes image (bilinear) and labels (nearest) to a fixed size or a fixed short side. */
@injectable()
export class ResizeTransform implements SampleTransform {
  constructor(readonly options: ResizeOptions) {}

  apply(sample: SegSample, _rng: Rng): SegSample {
    const { height: h, width: w } = sample.image;
    const [outH, outW] = resizedSize(h, w, this.options);
    if (outH === h && outW === w) return sample;
    return mapGeometry(
      sample,
      (im) => resizeBilinear(im, outH, outW),
      (lb) => resizeNearest(lb, outH, outW),
    );
  }
}

/** Height and width after resizing an h × w image. */
export function resizedSize(h: number, w: number, options: ResizeOptions): [number, number] {
  const { size, mode } = options;
  if (mode === 'warp') return [size, size];
  const scale = size / Math.min(h, w);
  return [Math.max(1, Math.round(h * scale)), Math.max(1, Math.round(w * scale))];
}
