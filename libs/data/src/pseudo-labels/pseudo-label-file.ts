import * as fs from 'node:fs';
import { DataError, writeFileAtomic, type LabelMap } from '@zls/core';

/**
 * A round's cached pseudo-labels on disk, so that loader threads (and a resumed run) can read them:
 * 8-byte little-endian header length, a JSON header listing each image's id, size and byte offset, then the
 * uint8 label maps back to back (output indices, 255 = none).
 */
const FORMAT = 'zls-pseudo-labels';

interface Entry {
  id: string;
  height: number;
  width: number;
  offset: number;
}

export function writePseudoLabelFile(file: string, labels: ReadonlyMap<string, LabelMap>): void {
  const entries: Entry[] = [];
  let offset = 0;
  for (const [id, map] of labels) {
    entries.push({ id, height: map.height, width: map.width, offset });
    offset += map.data.length;
  }
  const header = Buffer.from(JSON.stringify({ format: FORMAT, version: 1, entries }), 'utf8');
  const out = Buffer.alloc(8 + header.length + offset);
  out.writeBigUInt64LE(BigInt(header.length), 0);
  header.copy(out, 8);
  let at = 8 + header.length;
  for (const map of labels.values()) {
    out.set(map.data, at);
    at += map.data.length;
  }
  writeFileAtomic(file, out);
}

export function readPseudoLabelFile(file: string): Map<string, LabelMap> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new DataError(file, `cannot read pseudo-labels: ${(e as Error).message}`);
  }
  if (bytes.length < 8) throw new DataError(file, 'truncated pseudo-label file (no header length)');
  const headerLength = Number(bytes.readBigUInt64LE(0));
  if (8 + headerLength > bytes.length) throw new DataError(file, `truncated pseudo-label file (header of ${headerLength} bytes)`);
  let header: { format?: string; entries?: Entry[] };
  try {
    header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  } catch {
    throw new DataError(file, 'pseudo-label header is not JSON');
  }
  if (header.format !== FORMAT || !Array.isArray(header.entries)) throw new DataError(file, `not a ${FORMAT} file`);
  const base = 8 + headerLength;
  const out = new Map<string, LabelMap>();
  for (const e of header.entries) {
    const size = e.height * e.width;
    if (!(size > 0) || base + e.offset + size > bytes.length) throw new DataError(file, `entry ${e.id} lies outside the file`);
    out.set(e.id, { data: new Uint8Array(bytes.subarray(base + e.offset, base + e.offset + size)), height: e.height, width: e.width });
  }
  return out;
}
