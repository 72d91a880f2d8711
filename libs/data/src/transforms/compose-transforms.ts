import type { Rng, SampleTransform, SegSample } from '@zls/core';
import { fuseFlipNormalize } from './fused-flip-normalize';
import { fuseScalePadCrop } from './fused-scale-pad-crop';
import type { WritesIntoBatch } from './normalize-transform';

function writesIntoBatch(t: SampleTransform | undefined): t is SampleTransform & WritesIntoBatch {
  return typeof (t as Partial<WritesIntoBatch> | undefined)?.applyInto === 'function';
}

/**
 * Applies transforms in order with one shared Rng, so a sample's augmentation is fixed by the Rng's seed.
 * Unless `fuse` is off, runs [resize,] random-scale, pad, random-crop and flip, normalize are executed fused:
 * same draws, same output, less work.
 */
export class ComposedTransform implements SampleTransform {
  private readonly steps: readonly SampleTransform[];

  constructor(
    readonly transforms: readonly SampleTransform[],
    fuse = true,
  ) {
    this.steps = fuse ? fuseFlipNormalize(fuseScalePadCrop(transforms)) : transforms;
  }

  apply(sample: SegSample, rng: Rng): SegSample {
    let out = sample;
    for (const t of this.steps) out = t.apply(out, rng);
    return out;
  }

  /** Whether applyInto() writes the final image itself (the pipeline ends in a normalisation). */
  get endsInNormalization(): boolean {
    return writesIntoBatch(this.steps[this.steps.length - 1]);
  }

  /**
   * Like apply(), but the final normalisation writes the image straight into `dst` from `offset` (no separate
   * copy into the batch); the returned sample's image is not the output. Requires endsInNormalization.
   */
  applyInto(sample: SegSample, rng: Rng, dst: Float32Array, offset: number): SegSample {
    const last = this.steps[this.steps.length - 1];
    if (!writesIntoBatch(last)) throw new Error('applyInto: the pipeline does not end in a normalize transform');
    let out = sample;
    for (let i = 0; i < this.steps.length - 1; i++) out = this.steps[i].apply(out, rng);
    return last.applyInto(out, rng, dst, offset);
  }
}
