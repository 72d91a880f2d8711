import { readFileSync } from 'node:fs';
import { writeFileAtomic, ZlsError } from '@zls/core';

/** The element types zls reads and writes; F16/BF16/F64 are read (converted to float32 on request). */
export type SafetensorsDtype = 'F32' | 'F64' | 'F16' | 'BF16' | 'I32' | 'I64' | 'U8';

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F64: 8, F16: 2, BF16: 2, I32: 4, I64: 8, U8: 1 };

export interface SafetensorsEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Raw little-endian bytes (a copy owned by the entry). */
  bytes: Uint8Array;
}

export interface SafetensorsFile {
  tensors: Map<string, SafetensorsEntry>;
  /** The `__metadata__` map: string keys to string values, as the format requires. */
  metadata: Record<string, string>;
}

export function f32Entry(data: Float32Array, shape: number[]): SafetensorsEntry {
  return { dtype: 'F32', shape: [...shape], bytes: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) };
}

export function i32Entry(data: Int32Array, shape: number[]): SafetensorsEntry {
  return { dtype: 'I32', shape: [...shape], bytes: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) };
}

/**
 * Serialises tensors in the safetensors layout: u64 little-endian header size, a JSON header
 * ({name: {dtype, shape, data_offsets: [begin, end]}, __metadata__}) padded with spaces to 8 bytes, then the
 * tensors' bytes back to back in header order.
 */
export function encodeSafetensors(file: SafetensorsFile): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(file.metadata).length) header['__metadata__'] = file.metadata;
  let offset = 0;
  for (const [name, e] of file.tensors) {
    if (name === '__metadata__') throw new ZlsError('safetensors: "__metadata__" cannot name a tensor');
    const expected = e.shape.reduce((a, b) => a * b, 1) * BYTES[e.dtype];
    if (e.bytes.byteLength !== expected) throw new ZlsError(`safetensors: tensor '${name}' has ${e.bytes.byteLength} bytes, ${e.dtype} [${e.shape.join(', ')}] needs ${expected}`);
    header[name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + expected] };
    offset += expected;
  }
  for (const [k, v] of Object.entries(file.metadata)) {
    if (typeof v !== 'string') throw new ZlsError(`safetensors: metadata '${k}' must be a string, got ${typeof v}`);
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) json = Buffer.concat([json, Buffer.alloc(padded - json.length, 0x20)]);
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const e of file.tensors.values()) {
    out.set(e.bytes, at);
    at += e.bytes.byteLength;
  }
  return out;
}

/** Parses safetensors bytes, validating the header against the data; `source` names the file in errors. */
export function decodeSafetensors(bytes: Uint8Array, source: string): SafetensorsFile {
  const fail = (what: string) => new ZlsError(`${source}: not a valid safetensors file: ${what}`);
  if (bytes.byteLength < 8) throw fail(`${bytes.byteLength} bytes, too short for the 8-byte header size`);
  const headerSize = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerSize > BigInt(bytes.byteLength - 8)) throw fail(`header size ${headerSize} exceeds the file (${bytes.byteLength} bytes)`);
  const dataStart = 8 + Number(headerSize);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, Number(headerSize)).toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw fail(`header is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw fail('header is not a JSON object');
  const dataLength = bytes.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const rawMeta = header['__metadata__'];
  if (rawMeta !== undefined) {
    if (rawMeta === null || typeof rawMeta !== 'object') throw fail('__metadata__ is not an object');
    for (const [k, v] of Object.entries(rawMeta)) {
      if (typeof v !== 'string') throw fail(`__metadata__.${k} is not a string`);
      metadata[k] = v;
    }
  }
  const tensors = new Map<string, SafetensorsEntry>();
  const spans: [number, number, string][] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof info?.dtype !== 'string' || !(info.dtype in BYTES)) throw fail(`tensor '${name}' has dtype ${JSON.stringify(info?.dtype)}; supported: ${Object.keys(BYTES).join(', ')}`);
    const dtype = info.dtype as SafetensorsDtype;
    if (!Array.isArray(info.shape) || !info.shape.every((d) => Number.isInteger(d) && d >= 0)) throw fail(`tensor '${name}' has shape ${JSON.stringify(info.shape)}`);
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isInteger(d) && d >= 0) || offsets[0] > offsets[1]) {
      throw fail(`tensor '${name}' has data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const shape = info.shape as number[];
    const need = shape.reduce((a, b) => a * b, 1) * BYTES[dtype];
    if (end - begin !== need) throw fail(`tensor '${name}': ${dtype} [${shape.join(', ')}] needs ${need} bytes, data_offsets span ${end - begin}`);
    if (end > dataLength) throw fail(`tensor '${name}' ends at byte ${end} of a ${dataLength}-byte data section`);
    spans.push([begin, end, name]);
    tensors.set(name, { dtype, shape: [...shape], bytes: bytes.slice(dataStart + begin, dataStart + end) });
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) throw fail(`tensors '${spans[i - 1][2]}' and '${spans[i][2]}' overlap`);
  }
  return { tensors, metadata };
}

export function readSafetensors(file: string): SafetensorsFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new ZlsError(`${file}: cannot read (${e instanceof Error ? e.message : String(e)})`);
  }
  return decodeSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file);
}

export function writeSafetensors(file: string, content: SafetensorsFile): void {
  writeFileAtomic(file, encodeSafetensors(content));
}

/** An entry's values as float32 (F16 / BF16 / F64 converted), for loading weights. */
export function entryToFloat32(e: SafetensorsEntry, name: string, source: string): Float32Array {
  const view = new DataView(e.bytes.buffer, e.bytes.byteOffset, e.bytes.byteLength);
  const n = e.bytes.byteLength / BYTES[e.dtype];
  const out = new Float32Array(n);
  switch (e.dtype) {
    case 'F32':
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    case 'BF16':
      // bfloat16 is the top half of a float32.
      for (let i = 0; i < n; i++) out[i] = new Float32Array(Uint32Array.of(view.getUint16(i * 2, true) << 16).buffer)[0];
      return out;
    case 'F16':
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      return out;
    default:
      throw new ZlsError(`${source}: tensor '${name}' is ${e.dtype}, expected a floating-point type`);
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
