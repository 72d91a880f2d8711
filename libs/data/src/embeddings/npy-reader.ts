import * as fs from 'node:fs';
import { DataError } from '@zls/core';

export interface NpyArray {
  shape: number[];
  /** Values in C (row-major) order, widened to float64. */
  data: Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** Reads a NumPy .npy file (format versions 1, 2 and 3) holding little-endian float32 or float64 in C order. */
export function readNpy(file: string): NpyArray {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new DataError(file, `cannot read .npy file (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  return parseNpy(bytes, file);
}

export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new DataError(file, 'not a .npy file (missing the \\x93NUMPY magic)');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new DataError(file, '.npy header is truncated');
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new DataError(file, `.npy format version ${major}.${bytes[7]} is not supported (expected 1, 2 or 3)`);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) throw new DataError(file, '.npy header is truncated');
  // Version 3 only differs by allowing UTF-8 in the header; versions 1 and 2 are latin-1.
  const header = Buffer.from(bytes.subarray(headerStart, dataStart)).toString(major === 3 ? 'utf8' : 'latin1');
  const { descr, fortranOrder, shape } = parseHeader(header, file);
  if (fortranOrder) throw new DataError(file, '.npy array is in Fortran order; expected C order (save with np.ascontiguousarray)');
  const itemSize = descr === '<f4' ? 4 : descr === '<f8' ? 8 : 0;
  if (itemSize === 0) throw new DataError(file, `.npy dtype '${descr}' is not supported; expected '<f4' (float32) or '<f8' (float64)`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.length - dataStart < count * itemSize) {
    throw new DataError(file, `.npy data is truncated: shape (${shape.join(', ')}) needs ${count * itemSize} bytes, file has ${bytes.length - dataStart}`);
  }
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    data[i] = itemSize === 4 ? view.getFloat32(dataStart + 4 * i, true) : view.getFloat64(dataStart + 8 * i, true);
  }
  return { shape, data };
}

/** The header is a Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (21, 300), }. */
function parseHeader(header: string, file: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DataError(file, `.npy header is not a valid descr/fortran_order/shape dict: ${header.trim()}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(n) || n < 0) throw new DataError(file, `.npy shape entry '${s}' is not a non-negative integer`);
      return n;
    });
  return { descr, fortranOrder: fortran === 'True', shape };
}
