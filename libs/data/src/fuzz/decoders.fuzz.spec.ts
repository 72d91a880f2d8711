import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { DataError, SeededRng } from '@zls/core';
import { useTempDir } from '@zls/testing';
import { decodeRgbImage } from '../datasets/decode-rgb-image';
import { classEmbeddings } from '../embeddings/class-embeddings';
import { embeddingTableFromJson } from '../embeddings/embedding-json-reader';
import { parseNpy } from '../embeddings/npy-reader';
import { readLabelPng } from '../labels/label-png';
import { VOC_FIXTURE_ROOT } from '../real-fixtures';

/**
 * Seeded, bounded fuzzing of everything that reads user files: each corrupted input must either decode to a
 * consistent result or fail with a DataError that names the file — never another exception, never a hang.
 */
const LABEL = fs.readFileSync(path.join(VOC_FIXTURE_ROOT, 'SegmentationClass/2007_000033.png'));
const JPEG = fs.readFileSync(path.join(VOC_FIXTURE_ROOT, 'JPEGImages/2007_000033.jpg'));

function mutate(bytes: Uint8Array, rng: SeededRng): Uint8Array {
  const kind = Math.floor(rng.next() * 3);
  if (kind === 0) return bytes.slice(0, Math.floor(rng.next() * bytes.length)); // truncated
  const out = bytes.slice();
  const flips = 1 + Math.floor(rng.next() * 8);
  for (let i = 0; i < flips; i++) out[Math.floor(rng.next() * out.length)] = Math.floor(rng.next() * 256);
  if (kind === 2) return out.slice(0, Math.max(8, out.length - Math.floor(rng.next() * 64))); // both
  return out;
}

/** A PNG with the given IHDR fields and raw (already filtered) rows, checksums correct. */
function png(width: number, height: number, colourType: number, rows: Uint8Array, palette?: number[]): Buffer {
  const chunk = (type: string, data: Uint8Array) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'ascii');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, colourType, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...(palette ? [chunk('PLTE', Uint8Array.from(palette))] : []),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

function expectDataErrorNaming(e: unknown, file: string): void {
  expect(e).toBeInstanceOf(DataError);
  expect((e as Error).message).toContain(file);
}

describe('fuzzing the decoders (seeded, bounded)', () => {
  const dir = useTempDir('zls-fuzz-');

  it('label PNGs: 300 truncated or corrupted files decode consistently or fail naming the file', () => {
    const rng = new SeededRng(7);
    let failures = 0;
    for (let i = 0; i < 300; i++) {
      const file = path.join(dir(), `label-${i}.png`);
      fs.writeFileSync(file, mutate(LABEL, rng));
      try {
        const map = readLabelPng(file);
        expect(map.data.length).toBe(map.width * map.height);
      } catch (e) {
        expectDataErrorNaming(e, file);
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(250); // the checksums catch nearly every corruption
  });

  it('JPEG images: 60 truncated or corrupted files decode consistently or fail naming the file', async () => {
    const rng = new SeededRng(11);
    for (let i = 0; i < 60; i++) {
      const file = path.join(dir(), `image-${i}.jpg`);
      fs.writeFileSync(file, mutate(JPEG, rng));
      try {
        const image = await decodeRgbImage(file);
        expect(image.data.length).toBe(image.width * image.height * 3);
      } catch (e) {
        expectDataErrorNaming(e, file);
      }
    }
  });

  it('absurd dimensions are refused from the header, before any allocation', async () => {
    for (const [w, h, type] of [[100_000, 100_000, 0], [0x7fffffff, 3, 3], [1 << 20, 1 << 20, 2]] as const) {
      const file = path.join(dir(), `huge-${w}-${type}.png`);
      fs.writeFileSync(file, png(w, h, type, new Uint8Array(16), type === 3 ? [0, 0, 0] : undefined));
      expect(() => readLabelPng(file)).toThrow(/more than the \d+ a label map may have/);
      await expect(decodeRgbImage(file)).rejects.toThrow(DataError);
    }
  });

  it('RGB masks in colours outside the palette fail naming the colour and pixel', () => {
    const rng = new SeededRng(3);
    for (let i = 0; i < 20; i++) {
      const rows = new Uint8Array(4 * (1 + 4 * 3));
      for (let y = 0; y < 4; y++) for (let x = 0; x < 12; x++) rows[y * 13 + 1 + x] = 1 + Math.floor(rng.next() * 250);
      const file = path.join(dir(), `rgb-${i}.png`);
      fs.writeFileSync(file, png(4, 4, 2, rows));
      try {
        readLabelPng(file);
      } catch (e) {
        expectDataErrorNaming(e, file);
        expect((e as Error).message).toMatch(/colour \(\d+, \d+, \d+\) at pixel \(\d+, \d+\) is not in the palette/);
      }
    }
  });

  it('embeddings holding NaN, infinities or non-numbers are refused, naming the class', () => {
    for (const bad of [NaN, Infinity, '0.5', null]) {
      const table = { classes: [{ name: 'cat', vector: [0.1, 0.2] }, { name: 'dog', vector: [0.3, bad] }] };
      expect(() => embeddingTableFromJson(table, 'emb.json')).toThrow(/emb\.json.*vector of "dog" is not a list of finite numbers/);
    }
  });

  it('.npy embeddings: corrupted headers and data fail naming the file', () => {
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    const padded = header + ' '.repeat(128 - 10 - header.length - 1) + '\n';
    const base = Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0, padded.length, 0]), Buffer.from(padded), Buffer.from(new Float32Array(6).buffer)]);
    expect(parseNpy(base, 'ok.npy').shape).toEqual([2, 3]);
    const rng = new SeededRng(5);
    for (let i = 0; i < 200; i++) {
      const name = `emb-${i}.npy`;
      try {
        const array = parseNpy(mutate(base, rng), name);
        expect(array.data.length).toBe(array.shape.reduce((a, b) => a * b, 1));
      } catch (e) {
        expectDataErrorNaming(e, name);
      }
    }
  });
});

describe('classEmbeddings with a NaN in an .npy file', () => {
  const dir = useTempDir('zls-fuzz-npy-');

  it('names the file, the class and the position', () => {
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }";
    const padded = header + ' '.repeat(128 - 10 - header.length - 1) + '\n';
    const file = path.join(dir(), 'vectors.npy');
    const values = new Float32Array([0.1, 0.2, 0.3, NaN, 0.5, 0.6]);
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0, padded.length, 0]), Buffer.from(padded), Buffer.from(values.buffer)]));
    const classes = [0, 1, 2].map((labelId) => ({ labelId, name: `class ${labelId}`, aliases: [] }));
    expect(() => classEmbeddings(classes, { dataset: 'voc12', embedding: file })).toThrow(/vectors\.npy.*vector of class "class 1" holds NaN at position 1/);
  });
});
