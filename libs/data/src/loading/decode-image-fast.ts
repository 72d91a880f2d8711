import { promises as fsp } from 'node:fs';
import sharp from 'sharp';
import { DataError, type ImageBuffer } from '@zls/core';

/**
 * Decodes an image file to uint8 HWC RGB with as little work as possible: the file is read by node, sharp only
 * decodes (no colourspace step: it already delivers sRGB), and grey or alpha images are fixed up in one pass
 * here. EXIF orientation is NOT applied (label maps are drawn on the stored pixel grid).
 */
export async function decodeImageFast(file: string): Promise<ImageBuffer> {
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(file, code === 'ENOENT' ? 'image file is missing' : `cannot read image file (${code ?? e})`);
  }
  const decoded = await sharp(bytes, { failOn: 'truncated' })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true })
    .catch((e: Error) => {
      throw new DataError(file, `not a readable image (truncated or corrupt: ${e.message})`);
    });
  const { data, info } = decoded;
  const { width, height, channels } = info;
  const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (pixels.length !== width * height * channels) {
    throw new DataError(file, `decoder returned ${pixels.length} bytes for ${width}×${height}×${channels}`);
  }
  return { data: toRgb(pixels, width * height, channels, file), height, width, channels: 3 };
}

/** RGB stays as it is; grey (± alpha) is repeated into three channels; alpha is dropped. */
function toRgb(src: Uint8Array, pixels: number, channels: number, file: string): Uint8Array {
  if (channels === 3) return src;
  if (channels < 1 || channels > 4) throw new DataError(file, `image has ${channels} channels; expected 1 to 4`);
  const out = new Uint8Array(pixels * 3);
  const grey = channels <= 2;
  for (let p = 0, s = 0, o = 0; p < pixels; p++, s += channels, o += 3) {
    out[o] = src[s];
    out[o + 1] = grey ? src[s] : src[s + 1];
    out[o + 2] = grey ? src[s] : src[s + 2];
  }
  return out;
}
