// Referenced (not just included) so that projects compiling this file through the @zls/data alias see the typings.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../../../../types/fast-png.d.ts" />
import * as fs from 'node:fs';
import { checkPngSize, decodeIndexedPng } from '../loading/decode-indexed-png';
import { decode, encode, type DecodedPng } from 'fast-png';
import { DataError, writeFileAtomic, type LabelMap } from '@zls/core';
import { VOC_PALETTE, type Palette } from './voc-palette';

export interface ReadLabelPngOptions {
  /** Colours of RGB masks are mapped back to label values through this table (default: the VOC palette). */
  palette?: Palette;
}

/**
 * Reads a label map as the label values stored in the file: palette PNGs give their palette indices (never the
 * colours), 8-bit grey PNGs their grey values. RGB masks are accepted only when every colour is in the palette.
 */
export function readLabelPng(file: string, options: ReadLabelPngOptions = {}): LabelMap {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(file, code === 'ENOENT' ? 'label file is missing' : `cannot read label file (${code ?? e})`);
  }
  // The common case (8-bit palette or grey, not interlaced) decodes with node's zlib, about twice as fast.
  return decodeIndexedPng(bytes, file) ?? decodeLabelPng(bytes, file, options);
}

export function decodeLabelPng(bytes: Uint8Array, file: string, options: ReadLabelPngOptions = {}): LabelMap {
  let png: DecodedPng;
  // The general decoder allocates what the header says: check the size first (IHDR is always the first chunk).
  if (bytes.length >= 24) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    checkPngSize(view.getUint32(16), view.getUint32(20), file);
  }
  try {
    png = decode(bytes, { checkCrc: true });
  } catch (e) {
    throw new DataError(file, `not a readable PNG (truncated or corrupt: ${(e as Error).message})`);
  }
  const { width, height, channels, depth } = png;
  if (width <= 0 || height <= 0) throw new DataError(file, `PNG has an empty size ${width}×${height}`);
  if (channels === 1) return { width, height, data: oneChannelValues(png, file) };
  if (channels === 3 || channels === 4) {
    if (depth !== 8) throw new DataError(file, `${depth}-bit colour PNG; expected an 8-bit palette or grey label PNG`);
    return { width, height, data: coloursToLabels(png, file, options.palette ?? VOC_PALETTE) };
  }
  throw new DataError(file, `PNG with ${channels} channels (grey + alpha); expected a palette or 8-bit grey label PNG`);
}

function oneChannelValues(png: DecodedPng, file: string): Uint8Array {
  const { width, height, depth, data } = png;
  const n = width * height;
  if (depth === 8) {
    if (data.length < n) throw new DataError(file, `PNG holds ${data.length} pixels, expected ${width}×${height}`);
    return Uint8Array.from(data.subarray(0, n));
  }
  if (depth === 16) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = data[i];
      if (v > 255) throw new DataError(file, `16-bit label PNG holds value ${v} at pixel ${i}; label values must be 0..255`);
      out[i] = v;
    }
    return out;
  }
  return unpackLowDepth(data as Uint8Array, width, height, depth, file);
}

/** 1, 2 and 4-bit PNGs pack several pixels per byte, most significant bits first, each row padded to a byte. */
function unpackLowDepth(packed: Uint8Array, width: number, height: number, depth: number, file: string): Uint8Array {
  const rowBytes = Math.ceil((width * depth) / 8);
  if (packed.length < rowBytes * height) throw new DataError(file, `PNG data is shorter than ${height} rows of ${width} pixels`);
  const out = new Uint8Array(width * height);
  const mask = (1 << depth) - 1;
  const perByte = 8 / depth;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const byte = packed[y * rowBytes + Math.floor(x / perByte)];
      const shift = 8 - depth * ((x % perByte) + 1);
      out[y * width + x] = (byte >> shift) & mask;
    }
  }
  return out;
}

function coloursToLabels(png: DecodedPng, file: string, palette: Palette): Uint8Array {
  const colourToLabel = new Map<number, number>();
  palette.forEach(([r, g, b], label) => {
    const key = (r << 16) | (g << 8) | b;
    // A colour listed twice would make the mapping ambiguous: keep the first and mark the key as ambiguous.
    colourToLabel.set(key, colourToLabel.has(key) ? -1 : label);
  });
  const { width, height, channels, data } = png;
  const out = new Uint8Array(width * height);
  for (let i = 0; i < out.length; i++) {
    const o = i * channels;
    if (channels === 4 && data[o + 3] !== 255) {
      throw new DataError(file, `RGBA label PNG has transparency at pixel (${i % width}, ${Math.floor(i / width)}); expected an opaque colour mask`);
    }
    const key = (data[o] << 16) | (data[o + 1] << 8) | data[o + 2];
    const label = colourToLabel.get(key);
    if (label === undefined || label < 0) {
      const why = label === undefined ? 'is not in the palette' : 'appears twice in the palette';
      throw new DataError(
        file,
        `RGB label PNG: colour (${data[o]}, ${data[o + 1]}, ${data[o + 2]}) at pixel (${i % width}, ${Math.floor(i / width)}) ${why}; ` +
          'expected a palette PNG, an 8-bit grey index PNG, or an RGB mask drawn with the palette colours',
      );
    }
    out[i] = label;
  }
  return out;
}

/** Writes a label map as an 8-bit palette PNG (VOC colours by default), atomically. */
export function writeLabelPng(file: string, map: LabelMap, palette: Palette = VOC_PALETTE): void {
  if (map.data.length !== map.width * map.height) {
    throw new DataError(file, `label map holds ${map.data.length} values, expected ${map.width}×${map.height}`);
  }
  if (palette.length === 0 || palette.length > 256) throw new DataError(file, `palette has ${palette.length} colours, expected 1..256`);
  let max = 0;
  for (const v of map.data) if (v > max) max = v;
  if (max >= palette.length) throw new DataError(file, `label value ${max} has no colour in a ${palette.length}-entry palette`);
  const bytes = encode({
    width: map.width,
    height: map.height,
    data: map.data,
    depth: 8,
    channels: 1,
    palette: palette.map((c) => [c[0], c[1], c[2]]),
  });
  writeFileAtomic(file, bytes);
}
