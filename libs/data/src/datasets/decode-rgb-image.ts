import * as fs from 'node:fs';
import sharp from 'sharp';
import { DataError, type ImageBuffer } from '@zls/core';

/**
 * Decodes an image file to uint8 HWC RGB. Grey images are expanded to RGB and alpha is dropped; EXIF orientation
 * is NOT applied, because the label maps are drawn on the stored pixel grid.
 */
export async function decodeRgbImage(file: string): Promise<ImageBuffer> {
  if (!fs.existsSync(file)) throw new DataError(file, 'image file is missing');
  try {
    const { data, info } = await sharp(file, { failOn: 'truncated' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), height: info.height, width: info.width, channels: 3 };
  } catch (e) {
    throw new DataError(file, `not a readable image (truncated or corrupt: ${(e as Error).message})`);
  }
}
