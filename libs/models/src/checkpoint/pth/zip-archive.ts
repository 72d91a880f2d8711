import { inflateRawSync } from 'node:zlib';
import { ZlsError } from '@zls/core';

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * The members of a ZIP archive (what torch.save writes since PyTorch 1.6): stored or deflated entries, ZIP64
 * sizes and offsets included. Reads the central directory, then each member on request.
 */
export class ZipArchive {
  private readonly entries = new Map<string, ZipEntry>();

  constructor(
    private readonly bytes: Uint8Array,
    private readonly source: string,
  ) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let eocd = -1;
    for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
      if (view.getUint32(i, true) === EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new ZlsError(`${source}: not a ZIP archive (no end-of-central-directory record)`);
    let count = view.getUint16(eocd + 10, true);
    let dirOffset = view.getUint32(eocd + 16, true);
    if ((count === 0xffff || dirOffset === 0xffffffff) && eocd >= 20 && view.getUint32(eocd - 20, true) === EOCD64_LOCATOR) {
      const at = Number(view.getBigUint64(eocd - 12, true));
      if (view.getUint32(at, true) !== EOCD64) throw new ZlsError(`${source}: broken ZIP64 end-of-central-directory record`);
      count = Number(view.getBigUint64(at + 32, true));
      dirOffset = Number(view.getBigUint64(at + 48, true));
    }
    let p = dirOffset;
    for (let k = 0; k < count; k++) {
      if (p + 46 > bytes.length || view.getUint32(p, true) !== CENTRAL) throw new ZlsError(`${source}: broken ZIP central directory at entry ${k}`);
      const method = view.getUint16(p + 10, true);
      let compressedSize = view.getUint32(p + 20, true);
      let size = view.getUint32(p + 24, true);
      const nameLength = view.getUint16(p + 28, true);
      const extraLength = view.getUint16(p + 30, true);
      const commentLength = view.getUint16(p + 32, true);
      let localHeaderOffset = view.getUint32(p + 42, true);
      const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLength));
      // ZIP64 extra field (id 1): the 64-bit values of whichever 32-bit fields are saturated, in order.
      let e = p + 46 + nameLength;
      const extraEnd = e + extraLength;
      while (e + 4 <= extraEnd) {
        const id = view.getUint16(e, true);
        const length = view.getUint16(e + 2, true);
        if (id === 1) {
          let q = e + 4;
          if (size === 0xffffffff) {
            size = Number(view.getBigUint64(q, true));
            q += 8;
          }
          if (compressedSize === 0xffffffff) {
            compressedSize = Number(view.getBigUint64(q, true));
            q += 8;
          }
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = Number(view.getBigUint64(q, true));
        }
        e += 4 + length;
      }
      this.entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
      p = extraEnd + commentLength;
    }
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  read(name: string): Uint8Array {
    const entry = this.entries.get(name);
    if (!entry) throw new ZlsError(`${this.source}: the archive has no member '${name}'`);
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    const at = entry.localHeaderOffset;
    if (view.getUint32(at, true) !== LOCAL) throw new ZlsError(`${this.source}: broken local header of '${name}'`);
    const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
    const raw = this.bytes.subarray(start, start + entry.compressedSize);
    if (raw.length !== entry.compressedSize) throw new ZlsError(`${this.source}: '${name}' is truncated`);
    if (entry.method === 0) return raw;
    if (entry.method === 8) return new Uint8Array(inflateRawSync(raw));
    throw new ZlsError(`${this.source}: '${name}' uses ZIP compression method ${entry.method}; only stored and deflated members are read`);
  }
}
