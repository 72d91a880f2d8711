import type { ImageBuffer } from '@zls/core';
import { decodeImageFast } from '../loading/decode-image-fast';

/**
 * Decodes an image file to uint8 HWC RGB. Grey images are expanded to RGB and alpha is dropped; EXIF orientation
 * is NOT applied, because the label maps are drawn on the stored pixel grid. (One decoder for the whole library:
 * the fast path measured in bench/data.)
 */
export function decodeRgbImage(file: string): Promise<ImageBuffer> {
  return decodeImageFast(file);
}
