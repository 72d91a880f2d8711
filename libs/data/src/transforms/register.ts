import type { Registries } from '@zls/core';
import { HorizontalFlipOptions, HorizontalFlipTransform } from './horizontal-flip-transform';
import { NormalizeOptions, NormalizeTransform } from './normalize-transform';
import { PadOptions, PadTransform } from './pad-transform';
import { RandomCropOptions, RandomCropTransform } from './random-crop-transform';
import { RandomScaleOptions, RandomScaleTransform } from './random-scale-transform';
import { ResizeOptions, ResizeTransform } from './resize-transform';

export function registerTransforms(registries: Registries): void {
  const origin = '@zls/data';
  registries.transform
    .register('resize', ResizeTransform, ResizeOptions, 'warp to size × size, or resize the short side to size (bilinear; labels nearest)', origin)
    .register('random-scale', RandomScaleTransform, RandomScaleOptions, 'scale by a uniform random factor in [min, max]; keepSize pads or crops back to the input size', origin)
    .register('pad', PadTransform, PadOptions, 'pad bottom/right to at least height × width (labels with 255)', origin)
    .register('random-crop', RandomCropTransform, RandomCropOptions, 'crop a random height × width window', origin)
    .register('horizontal-flip', HorizontalFlipTransform, HorizontalFlipOptions, 'mirror left-right with a probability', origin)
    .register('normalize', NormalizeTransform, NormalizeOptions, 'to float32: caffe-bgr mean, imagenet mean/std or synthetic (x/255-0.5)/0.25', origin);
}
