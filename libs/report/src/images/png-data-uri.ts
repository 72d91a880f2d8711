// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../../../../types/fast-png.d.ts" />
import { encode } from 'fast-png';
import type { RgbImage } from '../html/report-data';

/** An RGB image as a PNG data: URI, so the report is one self-contained file. */
export function pngDataUri(image: RgbImage): string {
  const bytes = encode({ width: image.width, height: image.height, data: image.data, depth: 8, channels: 3 });
  return `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`;
}
