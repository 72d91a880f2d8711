import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inflateSync } from 'node:zlib';
import { decode } from 'fast-png';
import sharp from 'sharp';
import { DataError, SeededRng } from '@zls/core';
import { decodeImageFast } from './decode-image-fast';
import { decodeIndexedPng } from './decode-indexed-png';

import { VOC_FIXTURE_ROOT } from '../real-fixtures';

const VOC_LABELS = path.join(VOC_FIXTURE_ROOT, 'SegmentationClass');

describe('decodeIndexedPng', () => {
  it('gives the palette indices that fast-png reads from real VOC label PNGs', () => {
    for (const f of fs.readdirSync(VOC_LABELS)) {
      const bytes = fs.readFileSync(path.join(VOC_LABELS, f));
      const ours = decodeIndexedPng(bytes, f);
      const ref = decode(bytes);
      expect(ours).toBeDefined();
      expect([ours?.width, ours?.height]).toEqual([ref.width, ref.height]);
      expect(Buffer.from(ours?.data ?? []).equals(Buffer.from(ref.data as Uint8Array))).toBe(true);
    }
  });

  it('undoes every row filter (sharp writes adaptive filters) on grey PNGs', async () => {
    const rng = new SeededRng(5);
    const w = 37;
    const h = 23;
    // Smooth ramps plus noise, so that the encoder picks Sub, Up, Average and Paeth rows.
    const grey = Uint8Array.from({ length: w * h }, (_, i) => ((i % w) * 3 + Math.floor(i / w) * 5 + rng.int(0, 3)) & 255);
    const png = await sharp(Buffer.from(grey), { raw: { width: w, height: h, channels: 1 } }).toColourspace('b-w').png({ adaptiveFiltering: true, compressionLevel: 9 }).toBuffer();
    const filters = new Set(Array.from({ length: h }, (_, y) => new Uint8Array(inflateSync(idatOf(png)))[y * (w + 1)]));
    expect(filters.size).toBeGreaterThan(1);
    expect(Array.from(decodeIndexedPng(png, 'grey.png')?.data ?? [])).toEqual(Array.from(grey));
  });

  it('declines PNG kinds it does not handle, and names the file of a corrupt one', async () => {
    const rgb = await sharp(Buffer.alloc(4 * 4 * 3, 9), { raw: { width: 4, height: 4, channels: 3 } }).png().toBuffer();
    expect(decodeIndexedPng(rgb, 'rgb.png')).toBeUndefined();
    expect(() => decodeIndexedPng(Buffer.from('hello world'), 'x.png')).toThrow(/x\.png: not a PNG file/);
    const good = await sharp(Buffer.alloc(16, 3), { raw: { width: 4, height: 4, channels: 1 } }).toColourspace('b-w').png().toBuffer();
    expect(Array.from(decodeIndexedPng(good, 'good.png')?.data ?? [])).toEqual(new Array(16).fill(3));
    const broken = Buffer.from(good);
    const idat = broken.indexOf('IDAT');
    broken.fill(0xff, idat + 4, idat + 4 + broken.readUInt32BE(idat - 4)); // the whole compressed payload
    expect(() => decodeIndexedPng(broken, 'broken.png')).toThrow(DataError);
    expect(() => decodeIndexedPng(good.subarray(0, 40), 'short.png')).toThrow(/short\.png/);
  });
});

/** The concatenated IDAT payload of a PNG. */
function idatOf(png: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let p = 8; p < png.length; ) {
    const len = png.readUInt32BE(p);
    if (png.toString('latin1', p + 4, p + 8) === 'IDAT') parts.push(png.subarray(p + 8, p + 8 + len));
    p += 12 + len;
  }
  return Buffer.concat(parts);
}

describe('decodeImageFast', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zls-fast-decode-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('decodes RGB exactly and expands grey and grey+alpha, dropping alpha', async () => {
    const rgb = Uint8Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 41) & 255);
    await sharp(Buffer.from(rgb), { raw: { width: 3, height: 5, channels: 3 } }).png().toFile(path.join(dir, 'rgb.png'));
    const a = await decodeImageFast(path.join(dir, 'rgb.png'));
    expect([a.height, a.width, a.channels]).toEqual([5, 3, 3]);
    expect(Array.from(a.data)).toEqual(Array.from(rgb));

    await sharp(Buffer.from([10, 200, 30, 40]), { raw: { width: 2, height: 2, channels: 1 } }).png().toFile(path.join(dir, 'g.png'));
    expect(Array.from((await decodeImageFast(path.join(dir, 'g.png'))).data)).toEqual([10, 10, 10, 200, 200, 200, 30, 30, 30, 40, 40, 40]);
    const rgba = Buffer.from([1, 2, 3, 255, 4, 5, 6, 0]);
    await sharp(rgba, { raw: { width: 2, height: 1, channels: 4 } }).png().toFile(path.join(dir, 'a.png'));
    expect(Array.from((await decodeImageFast(path.join(dir, 'a.png'))).data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('names the file that is missing or not an image', async () => {
    fs.writeFileSync(path.join(dir, 'bad.jpg'), 'nope');
    await expect(decodeImageFast(path.join(dir, 'bad.jpg'))).rejects.toThrow(/bad\.jpg: not a readable image/);
    await expect(decodeImageFast(path.join(dir, 'none.jpg'))).rejects.toThrow(/none\.jpg: image file is missing/);
  });
});
