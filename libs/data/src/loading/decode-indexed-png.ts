import { crc32, inflateSync } from 'node:zlib';
import { DataError, type LabelMap } from '@zls/core';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Larger label maps are refused before anything is allocated for them (sharp's default image limit). */
export const MAX_LABEL_PIXELS = 0x3fff * 0x3fff;

/** Width and height from a PNG's IHDR, refused when absurd: a corrupt header must not allocate gigabytes. */
export function checkPngSize(width: number, height: number, file: string): void {
  if (width * height > MAX_LABEL_PIXELS) {
    throw new DataError(file, `PNG claims ${width}×${height} pixels, more than the ${MAX_LABEL_PIXELS} a label map may have (corrupt header?)`);
  }
}

/**
 * Fast path for label maps: decodes an 8-bit, one-sample-per-pixel (palette or grey), non-interlaced PNG to its
 * stored values (palette indices, never colours) with node's native zlib. Returns undefined for any other kind
 * of PNG, so the caller can fall back to a general decoder. Corrupt data is an error naming `file`.
 */
export function decodeIndexedPng(bytes: Uint8Array, file: string): LabelMap | undefined {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new DataError(file, 'not a PNG file (bad signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  for (let p = 8; p + 8 <= bytes.length; ) {
    const length = view.getUint32(p);
    const type = String.fromCharCode(bytes[p + 4], bytes[p + 5], bytes[p + 6], bytes[p + 7]);
    const data = p + 8;
    if (data + length + 4 > bytes.length) throw new DataError(file, `PNG chunk ${type} runs past the end of the file (truncated or corrupt)`);
    // Every chunk's CRC covers its type and data: a flipped byte anywhere is caught here, not decoded silently.
    if (crc32(bytes.subarray(p + 4, data + length)) !== view.getUint32(data + length)) {
      throw new DataError(file, `PNG chunk ${type} fails its checksum (truncated or corrupt: CRC mismatch)`);
    }
    if (type === 'IHDR') {
      width = view.getUint32(data);
      height = view.getUint32(data + 4);
      checkPngSize(width, height, file);
      const [depth, colourType, , , interlace] = bytes.subarray(data + 8, data + 13);
      if (depth !== 8 || (colourType !== 0 && colourType !== 3) || interlace !== 0) return undefined;
    } else if (type === 'IDAT') {
      idat.push(bytes.subarray(data, data + length));
    } else if (type === 'IEND') {
      break;
    }
    p = data + length + 4;
  }
  if (width === 0 || height === 0) throw new DataError(file, 'PNG has no IHDR chunk or an empty size');
  let raw: Uint8Array;
  try {
    // Capped at the size the header implies: a small corrupt stream cannot inflate into gigabytes.
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: Math.max(1, height * (width + 1)) });
  } catch (e) {
    throw new DataError(file, `PNG image data does not inflate (truncated or corrupt: ${(e as Error).message})`);
  }
  const stride = width + 1;
  if (raw.length < height * stride) throw new DataError(file, `PNG holds ${raw.length} bytes of rows, expected ${height} × ${stride}`);
  return { data: unfilter(raw, width, height, file), height, width };
}

/** Undoes the per-row PNG filters for one byte per pixel (bpp = 1). */
function unfilter(raw: Uint8Array, width: number, height: number, file: string): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (width + 1)];
    const src = y * (width + 1) + 1;
    const o = y * width;
    const up = o - width; // previous output row; y = 0 reads zeros
    switch (filter) {
      case 0:
        out.set(raw.subarray(src, src + width), o);
        break;
      case 1:
        for (let x = 0; x < width; x++) out[o + x] = raw[src + x] + (x > 0 ? out[o + x - 1] : 0);
        break;
      case 2:
        for (let x = 0; x < width; x++) out[o + x] = raw[src + x] + (y > 0 ? out[up + x] : 0);
        break;
      case 3:
        for (let x = 0; x < width; x++) {
          const left = x > 0 ? out[o + x - 1] : 0;
          const above = y > 0 ? out[up + x] : 0;
          out[o + x] = raw[src + x] + ((left + above) >> 1);
        }
        break;
      case 4:
        for (let x = 0; x < width; x++) {
          const a = x > 0 ? out[o + x - 1] : 0;
          const b = y > 0 ? out[up + x] : 0;
          const c = x > 0 && y > 0 ? out[up + x - 1] : 0;
          out[o + x] = raw[src + x] + paeth(a, b, c);
        }
        break;
      default:
        throw new DataError(file, `PNG row ${y} has filter type ${filter}; expected 0–4 (corrupt file)`);
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = p > a ? p - a : a - p;
  const pb = p > b ? p - b : b - p;
  const pc = p > c ? p - c : c - p;
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}
