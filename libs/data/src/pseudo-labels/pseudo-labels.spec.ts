import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IGNORE_INDEX as I, type LabelMap, type SegDataset } from '@zls/core';
import { readPseudoLabelFile, writePseudoLabelFile } from './pseudo-label-file';
import { WithPseudoLabels } from './with-pseudo-labels';

const map = (data: number[], height: number, width: number): LabelMap => ({ data: Uint8Array.from(data), height, width });

describe('pseudo-label files', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zls-pl-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trip every map exactly', () => {
    const labels = new Map([
      ['a', map([1, I, 3, 4, 5, 6], 2, 3)],
      ['b', map([I], 1, 1)],
    ]);
    const file = path.join(dir, 'round-1.bin');
    writePseudoLabelFile(file, labels);
    expect(readPseudoLabelFile(file)).toEqual(labels);
  });

  it('name the file when it is truncated or not theirs', () => {
    const file = path.join(dir, 'x.bin');
    writePseudoLabelFile(file, new Map([['a', map([1, 2, 3, 4], 2, 2)]]));
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 2));
    expect(() => readPseudoLabelFile(file)).toThrow(/x\.bin: entry a lies outside the file/);
    fs.writeFileSync(file, Buffer.from('hello world, not labels'));
    expect(() => readPseudoLabelFile(file)).toThrow(/x\.bin: truncated pseudo-label file/);
  });
});

describe('WithPseudoLabels', () => {
  const base: SegDataset = {
    name: 'toy',
    split: 'train',
    classSpace: {} as SegDataset['classSpace'],
    ids: ['a'],
    get: async () => ({
      id: 'a',
      image: { data: new Uint8Array(4 * 3), height: 2, width: 2, channels: 3 },
      target: map([0, I, I, 1], 2, 2),
      hidden: map([0, 7, 8, 1], 2, 2),
    }),
  };

  it('fills only unlabelled pixels and leaves the hidden labels alone', async () => {
    const ds = new WithPseudoLabels(base, new Map([['a', map([9, 7, I, 9], 2, 2)]]));
    const s = await ds.get(0);
    expect(Array.from(s.target.data)).toEqual([0, 7, I, 1]);
    expect(Array.from(s.hidden.data)).toEqual([0, 7, 8, 1]);
  });

  it('resizes labels made on the warped evaluation-size image (nearest) back to the label map before mixing', async () => {
    // A 4×4 map, as a pass warping this 2×2 image to 4×4 labels it: each 2×2 block is one source pixel.
    const warped = map([9, 9, 7, 7, 9, 9, 7, 7, 3, 3, 5, 5, 3, 3, 5, 5], 4, 4);
    const s = await new WithPseudoLabels(base, new Map([['a', warped]])).get(0);
    expect([s.target.width, s.target.height]).toEqual([2, 2]);
    expect(Array.from(s.target.data)).toEqual([0, 7, 3, 1]);
  });

  it('names an image without pseudo-labels', async () => {
    await expect(new WithPseudoLabels(base, new Map(), 'r1.bin').get(0)).rejects.toThrow(/r1\.bin: no pseudo-labels for training image a/);
  });
});
