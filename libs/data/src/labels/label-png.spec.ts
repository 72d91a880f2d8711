import * as fs from 'node:fs';
import * as path from 'node:path';
import { decode, encode } from 'fast-png';
import sharp from 'sharp';
import { DataError, type LabelMap } from '@zls/core';
import { readAssetJson } from '../assets/asset-files';
import { COCO_FIXTURE_ROOT, COCO_SAMPLE_ID, tempDir, VOC_2007_001420_LABEL, VOC_FIXTURE_ROOT } from '../real-fixtures';
import { readLabelPng, writeLabelPng } from './label-png';
import { VOC_PALETTE } from './voc-palette';

function histogram(map: LabelMap): Record<number, number> {
  const h: Record<number, number> = {};
  for (const v of map.data) h[v] = (h[v] ?? 0) + 1;
  return h;
}

describe('readLabelPng on the real samples', () => {
  it('keeps the palette indices of the VOC SegmentationClass PNG 2007_000033', () => {
    const map = readLabelPng(path.join(VOC_FIXTURE_ROOT, 'SegmentationClass', '2007_000033.png'));
    expect([map.width, map.height]).toEqual([500, 366]);
    expect(histogram(map)).toEqual({ 0: 143868, 1: 30937, 255: 8195 });
  });

  it('reads the grey index PNG of SegmentationClassAug to the same array as the palette PNG', () => {
    const palette = readLabelPng(path.join(VOC_FIXTURE_ROOT, 'SegmentationClass', '2007_000033.png'));
    const grey = readLabelPng(path.join(VOC_FIXTURE_ROOT, 'SegmentationClassAug', '2007_000033.png'));
    expect(Buffer.from(grey.data).equals(Buffer.from(palette.data))).toBe(true);
  });

  it('decodes 2007_001420 (horse, person, potted plant) and the COCO annotator example', () => {
    expect(histogram(readLabelPng(VOC_2007_001420_LABEL))).toEqual({ 0: 137802, 13: 10990, 15: 5706, 16: 3913, 255: 7589 });
    const meta = JSON.parse(fs.readFileSync(path.join(COCO_FIXTURE_ROOT, `${COCO_SAMPLE_ID}.json`), 'utf8'));
    const coco = readLabelPng(path.join(COCO_FIXTURE_ROOT, 'annotations', 'train2017', `${COCO_SAMPLE_ID}.png`));
    const h = histogram(coco);
    expect(h[168]).toBe(meta.labels_present.tree.pixels);
    expect(h[105]).toBe(meta.labels_present.clouds.pixels);
    expect(h[156]).toBe(meta.labels_present['sky-other'].pixels);
    expect(h[255]).toBe(meta.labels_present.unprocessed.pixels + meta.labels_present.things.pixels);
    expect(Object.keys(h).sort()).toEqual(['105', '156', '168', '255']);
  });
});

describe('VOC_PALETTE', () => {
  it('equals the palette stored in the official PNG and the shipped class table', () => {
    const png = decode(fs.readFileSync(path.join(VOC_FIXTURE_ROOT, 'SegmentationClass', '2007_000033.png')));
    expect(png.palette?.map((c) => c.slice(0, 3))).toEqual(VOC_PALETTE.map((c) => [...c]));
    const table = readAssetJson<{ palette_256: number[][] }>('classes/pascal_voc_classes.json');
    expect(table.palette_256).toEqual(VOC_PALETTE.map((c) => [...c]));
  });
});

describe('writeLabelPng', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir('labelpng')));
  afterEach(() => tmp.remove());

  it('writes a palette PNG that reads back to the same indices and shows VOC colours to another decoder', async () => {
    const src = readLabelPng(VOC_2007_001420_LABEL);
    const file = path.join(tmp.dir, 'out', 'mask.png');
    writeLabelPng(file, src);
    expect(Buffer.from(readLabelPng(file).data).equals(Buffer.from(src.data))).toBe(true);
    // sharp expands palettes to RGB: the colour of each pixel must be the VOC colour of its label.
    const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(3);
    for (const i of [0, 1000, 50000, 120000, src.data.length - 1]) {
      expect([data[3 * i], data[3 * i + 1], data[3 * i + 2]]).toEqual([...VOC_PALETTE[src.data[i]]]);
    }
    expect(fs.readdirSync(path.dirname(file))).toEqual(['mask.png']);
  });

  it('refuses a value without a palette colour, naming the file', () => {
    const file = path.join(tmp.dir, 'x.png');
    expect(() => writeLabelPng(file, { width: 2, height: 1, data: Uint8Array.of(0, 5) }, [[0, 0, 0]])).toThrow(`${file}: label value 5`);
  });
});

describe('readLabelPng on other encodings and bad files', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir('labelpng')));
  afterEach(() => tmp.remove());

  it('maps an RGB mask drawn with VOC colours back to labels', async () => {
    const src = readLabelPng(path.join(VOC_FIXTURE_ROOT, 'SegmentationClass', '2007_000129.png'));
    const rgb = Buffer.alloc(src.data.length * 3);
    src.data.forEach((v, i) => rgb.set(VOC_PALETTE[v], 3 * i));
    const file = path.join(tmp.dir, 'rgb.png');
    await sharp(rgb, { raw: { width: src.width, height: src.height, channels: 3 } }).png().toFile(file);
    expect(Buffer.from(readLabelPng(file).data).equals(Buffer.from(src.data))).toBe(true);
  });

  it('rejects an RGB image whose colours are not palette colours, naming the file and the colour', async () => {
    const file = path.join(tmp.dir, 'photo.png');
    await sharp(Buffer.from([0, 0, 0, 1, 2, 3]), { raw: { width: 2, height: 1, channels: 3 } }).png().toFile(file);
    expect(() => readLabelPng(file)).toThrow(new RegExp(`^${file}: RGB label PNG: colour \\(1, 2, 3\\) at pixel \\(1, 0\\) is not in the palette`));
  });

  it('unpacks a 4-bit palette PNG', () => {
    const values = [3, 0, 15, 7, 1, 9, 12]; // one row of 7 pixels, 4 bits each, padded to 4 bytes
    const packed = new Uint8Array(4);
    values.forEach((v, x) => (packed[x >> 1] |= x % 2 === 0 ? v << 4 : v));
    const file = path.join(tmp.dir, 'four-bit.png');
    const palette = VOC_PALETTE.slice(0, 16).map((c) => [...c]);
    fs.writeFileSync(file, encode({ width: 7, height: 1, data: packed, depth: 4, channels: 1, palette }));
    expect([...readLabelPng(file).data]).toEqual(values);
  });

  it('names the file of a missing, truncated, corrupt or grey+alpha PNG', () => {
    const good = fs.readFileSync(path.join(VOC_FIXTURE_ROOT, 'SegmentationClass', '2007_000033.png'));
    const truncated = path.join(tmp.dir, 'truncated.png');
    fs.writeFileSync(truncated, good.subarray(0, good.length - 100));
    const corrupt = path.join(tmp.dir, 'corrupt.png');
    const flipped = Buffer.from(good);
    flipped[1500] ^= 0xff;
    fs.writeFileSync(corrupt, flipped);
    const greyAlpha = path.join(tmp.dir, 'ga.png');
    fs.writeFileSync(greyAlpha, encode({ width: 1, height: 1, data: Uint8Array.of(3, 255), depth: 8, channels: 2 }));
    const missing = path.join(tmp.dir, 'missing.png');
    for (const [file, pattern] of [
      [truncated, /truncated or corrupt/],
      [corrupt, /truncated or corrupt: CRC mismatch/],
      [greyAlpha, /2 channels/],
      [missing, /label file is missing/],
    ] as const) {
      let error: unknown;
      try {
        readLabelPng(file);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DataError);
      expect((error as DataError).file).toBe(file);
      expect((error as Error).message).toMatch(pattern);
    }
  });
});
