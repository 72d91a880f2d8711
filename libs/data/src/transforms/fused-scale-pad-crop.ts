import { IGNORE_INDEX, ZlsError, type ImageBuffer, type LabelMap, type Rng, type SampleTransform, type SegSample } from '@zls/core';
import { emptyLike } from './geometry';
import { PadTransform, type PadOptions } from './pad-transform';
import { RandomCropTransform, type RandomCropOptions } from './random-crop-transform';
import { RandomScaleTransform, type RandomScaleOptions } from './random-scale-transform';
import { bilinearSpan, resizeBilinearWindow, type SourceRegion, type Window } from './resize-bilinear';
import { nearestIndex, resizeNearestWindow } from './resize-nearest';
import { ResizeTransform, resizedSize, type ResizeOptions } from './resize-transform';

/**
 * [resize →] random-scale → pad → random-crop in one step, with the same random draws and bit-identical output,
 * computing only what the crop keeps: the window of the scaled image, and of the resized image only the rows and
 * columns that window reads (at scale 1.5 a 321² crop is a fifth of the 769² scaled image).
 */
export class FusedScalePadCrop implements SampleTransform {
  constructor(
    readonly scale: RandomScaleOptions,
    readonly pad: PadOptions,
    readonly crop: RandomCropOptions,
    readonly resize?: ResizeOptions,
  ) {}

  apply(sample: SegSample, rng: Rng): SegSample {
    const [H, W] = this.resize ? resizedSize(sample.image.height, sample.image.width, this.resize) : [sample.image.height, sample.image.width];
    const s = this.scale.min + (this.scale.max - this.scale.min) * rng.next();
    const outH = Math.max(1, Math.floor(H * s));
    const outW = Math.max(1, Math.floor(W * s));
    const paddedH = Math.max(outH, this.pad.height);
    const paddedW = Math.max(outW, this.pad.width);
    const { height, width } = this.crop;
    if (paddedH < height || paddedW < width) {
      throw new ZlsError(`random-crop: sample ${sample.id} is ${paddedH}×${paddedW}, smaller than the ${height}×${width} crop; add a pad transform before it`);
    }
    const top = Math.floor(rng.next() * (paddedH - height + 1));
    const left = Math.floor(rng.next() * (paddedW - width + 1));
    const window = { top, left, height, width };
    const rows = Math.min(height, outH - top);
    const cols = Math.min(width, outW - left);
    if (rows <= 0 || cols <= 0) {
      // The window lies wholly in the padding.
      const image = emptyLike(sample.image.data, height * width * sample.image.channels);
      const pad: ImageBuffer = { data: image.fill(this.pad.imageValue), height, width, channels: sample.image.channels };
      const blank = (): LabelMap => ({ data: new Uint8Array(height * width).fill(IGNORE_INDEX), height, width });
      return { id: sample.id, image: pad, target: blank(), hidden: blank() };
    }
    return {
      id: sample.id,
      image: this.imageWindow(sample.image, H, W, outH, outW, window, rows, cols),
      target: this.labelWindow(sample.target, H, W, outH, outW, window, rows, cols),
      hidden: this.labelWindow(sample.hidden, H, W, outH, outW, window, rows, cols),
    };
  }

  private imageWindow(image: ImageBuffer, H: number, W: number, outH: number, outW: number, window: Window, rows: number, cols: number): ImageBuffer {
    if (!this.resize) return resizeBilinearWindow(image, outH, outW, window, this.pad.imageValue);
    const [r0, r1] = bilinearSpan(H, outH, window.top, rows);
    const [c0, c1] = bilinearSpan(W, outW, window.left, cols);
    const resized = resizeBilinearWindow(image, H, W, { top: r0, left: c0, height: r1 - r0 + 1, width: c1 - c0 + 1 }, 0);
    const region: SourceRegion = { top: r0, left: c0, fullHeight: H, fullWidth: W };
    return resizeBilinearWindow(resized, outH, outW, window, this.pad.imageValue, region);
  }

  private labelWindow(label: LabelMap, H: number, W: number, outH: number, outW: number, window: Window, rows: number, cols: number): LabelMap {
    if (!this.resize) return resizeNearestWindow(label, outH, outW, window, IGNORE_INDEX);
    const r0 = nearestIndex(H, outH, window.top);
    const r1 = nearestIndex(H, outH, window.top + rows - 1);
    const c0 = nearestIndex(W, outW, window.left);
    const c1 = nearestIndex(W, outW, window.left + cols - 1);
    const resized = resizeNearestWindow(label, H, W, { top: r0, left: c0, height: r1 - r0 + 1, width: c1 - c0 + 1 }, IGNORE_INDEX);
    return resizeNearestWindow(resized, outH, outW, window, IGNORE_INDEX, { top: r0, left: c0, fullHeight: H, fullWidth: W });
  }
}

/** Replaces each run [resize,] random-scale, pad, random-crop in a transform list by its fused equivalent. */
export function fuseScalePadCrop(transforms: readonly SampleTransform[]): SampleTransform[] {
  const out: SampleTransform[] = [];
  for (let i = 0; i < transforms.length; i++) {
    const resize = transforms[i] instanceof ResizeTransform ? (transforms[i] as ResizeTransform).options : undefined;
    const start = resize ? i + 1 : i;
    const [a, b, c] = transforms.slice(start, start + 3);
    if (a instanceof RandomScaleTransform && !a.options.keepSize && b instanceof PadTransform && c instanceof RandomCropTransform) {
      out.push(new FusedScalePadCrop(a.options, b.options, c.options, resize));
      i = start + 2;
    } else {
      out.push(transforms[i]);
    }
  }
  return out;
}
