import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { DataError } from '@zls/core';
import { writeLabelPng } from '../labels/label-png';
import { tempDir } from '../real-fixtures';
import { datasetRealClassSpace } from '../splits/dataset-class-space';
import { checkDataset, PROTOCOL_LABEL_VALUES } from './data-check';

const W = 8;
const H = 6;

async function writeImage(file: string, width = W, height = H): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 90 } } }).jpeg().toFile(file);
}

function writeLabel(file: string, values: number[], width = W, height = H): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const data = new Uint8Array(width * height).map((_, i) => values[i % values.length]);
  writeLabelPng(file, { data, width, height });
}

interface Damage {
  noLabel?: string;
  noImage?: string;
  /** Label values of one id, in place of the good ones. */
  values?: { id: string; values: number[] };
  corrupt?: string;
  smallLabel?: string;
}

/** VOCdevkit/VOC2012 with JPEGImages, SegmentationClassAug and both protocol lists; every file good unless damaged. */
async function vocFolder(dir: string, splits: Record<'train_aug' | 'val', string[]>, damage: Damage = {}): Promise<string> {
  const voc = path.join(dir, 'VOCdevkit', 'VOC2012');
  fs.mkdirSync(path.join(voc, 'ImageSets', 'Segmentation'), { recursive: true });
  for (const [split, ids] of Object.entries(splits)) {
    fs.writeFileSync(path.join(voc, 'ImageSets', 'Segmentation', `${split}.txt`), ids.join('\n') + '\n');
    for (const id of ids) {
      if (id !== damage.noImage) await writeImage(path.join(voc, 'JPEGImages', `${id}.jpg`));
      const label = path.join(voc, 'SegmentationClassAug', `${id}.png`);
      if (id === damage.noLabel) continue;
      if (id === damage.smallLabel) writeLabel(label, [0, 15], W - 1, H);
      else writeLabel(label, id === damage.values?.id ? damage.values.values : [0, 1, 20, 255]);
      if (id === damage.corrupt) fs.writeFileSync(label, fs.readFileSync(label).subarray(0, 40));
    }
  }
  return dir;
}

const VOC_SPLITS = { train_aug: ['2008_000001', '2008_000002', '2008_000003'], val: ['2007_000033', '2007_000129'] };
const VOC_EXPECT = { train_aug: 3, val: 2 };

describe('checkDataset on VOC 2012 + SBD', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir('check')));
  afterEach(() => tmp.remove());

  it('a good folder matches when told its (small) split sizes, and reads every sample of it', async () => {
    const report = await checkDataset({ dataset: 'voc12', root: await vocFolder(tmp.dir, VOC_SPLITS), expected: VOC_EXPECT });
    expect(report.splits.map((s) => s.problems)).toEqual([[], []]);
    expect(report.ok).toBe(true);
    expect(report.splits.map((s) => [s.split, s.listed, s.complete, s.checked, s.list?.source])).toEqual([
      ['train_aug', 3, 3, 3, 'dataset'],
      ['val', 2, 2, 2, 'dataset'],
    ]);
    expect(report.summary).toMatch(/^voc12 at .*VOCdevkit.VOC2012: matches the protocol \(train_aug 3\/3, val 2\/2 images; 5 samples decoded\)$/);
  });

  it('without the override the protocol counts (10 582 train_aug, 1 449 val) make it a mismatch', async () => {
    const report = await checkDataset({ dataset: 'voc12', root: await vocFolder(tmp.dir, VOC_SPLITS) });
    expect(report.ok).toBe(false);
    expect(report.splits.map((s) => s.expected)).toEqual([10582, 1449]);
    expect(report.splits[0].problems).toEqual(['3 images in the split, expected 10582']);
    expect(report.summary).toMatch(/does not match the protocol: train_aug: 3 images in the split, expected 10582; val: 2 images in the split, expected 1449$/);
  });

  it('names a missing label and a missing image', async () => {
    const root = await vocFolder(tmp.dir, VOC_SPLITS, { noLabel: '2008_000002', noImage: '2007_000129' });
    const report = await checkDataset({ dataset: 'voc12', root, expected: VOC_EXPECT });
    expect(report.ok).toBe(false);
    const [train, val] = report.splits;
    expect(train.missingLabels).toEqual({ count: 1, first: ['2008_000002'] });
    expect(train.complete).toBe(2);
    expect(train.problems).toEqual(['1 labels missing (2008_000002)']);
    expect(val.missingImages).toEqual({ count: 1, first: ['2007_000129'] });
    expect(report.summary).toMatch(/train_aug: 1 labels missing; val: 1 images missing$/);
  });

  it('reports label values outside 0..20 and 255, a corrupt label file and a size mismatch', async () => {
    const root = await vocFolder(tmp.dir, VOC_SPLITS, { values: { id: '2008_000003', values: [0, 21, 37, 255] }, corrupt: '2007_000033', smallLabel: '2007_000129' });
    const report = await checkDataset({ dataset: 'voc12', root, expected: VOC_EXPECT });
    const [train, val] = report.splits;
    expect(train.outOfRange).toEqual({ count: 1, first: [expect.objectContaining({ id: '2008_000003', values: [21, 37] })] });
    expect(train.problems).toEqual(['1 label files with values outside 0..20 and 255 (2008_000003: 21, 37)']);
    expect(val.unreadable.first).toEqual([expect.objectContaining({ id: '2007_000033', problem: expect.stringMatching(/truncated or corrupt/) })]);
    expect(val.sizeMismatch.first).toEqual([expect.objectContaining({ id: '2007_000129', problem: 'label 7×6, image 8×6' })]);
    expect(report.ok).toBe(false);
  });

  it('decodes only a sample unless all is set, spread over the split', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `2009_${String(i).padStart(6, '0')}`);
    const root = await vocFolder(tmp.dir, { train_aug: ids, val: ['2007_000033'] }, { values: { id: ids[11], values: [0, 99] } });
    const expected = { train_aug: 12, val: 1 };
    const sampled = await checkDataset({ dataset: 'voc12', root, expected, sample: 4 });
    // 4 of 12, every third: ids 0, 3, 6, 9; the bad file (11) is not among them.
    expect(sampled.splits[0].checked).toBe(4);
    expect(sampled.ok).toBe(true);
    const all = await checkDataset({ dataset: 'voc12', root, expected, sample: 4, all: true });
    expect(all.splits[0].checked).toBe(12);
    expect(all.splits[0].outOfRange.first.map((o) => o.id)).toEqual([ids[11]]);
  });

  it('uses the shipped train_aug list when the folder has none, as the loader does', async () => {
    const root = await vocFolder(tmp.dir, VOC_SPLITS);
    fs.rmSync(path.join(root, 'VOCdevkit', 'VOC2012', 'ImageSets', 'Segmentation', 'train_aug.txt'));
    const report = await checkDataset({ dataset: 'voc12', root, sample: 0 });
    expect(report.splits[0].list?.source).toBe('shipped');
    expect(report.splits[0].listed).toBe(10582);
    // The fixture's 2008_000002 and 2008_000003 are train_aug images; the other 10 580 are not in the folder.
    expect(report.splits[0].missingImages.count).toBe(10580);
    expect(report.notes).toEqual([expect.stringMatching(/no ImageSets\/Segmentation\/train_aug\.txt: the train_aug list shipped with zls is used/)]);
  });

  it('refuses a missing folder, a folder of another layout and an unknown split to expect', async () => {
    await expect(checkDataset({ dataset: 'voc12', root: path.join(tmp.dir, 'nope') })).rejects.toThrow(/nope: no such folder/);
    await expect(checkDataset({ dataset: 'voc12', root: tmp.dir })).rejects.toThrow(DataError);
    await expect(checkDataset({ dataset: 'voc12', root: tmp.dir })).rejects.toThrow(/not a PASCAL VOC folder/);
    const root = await vocFolder(tmp.dir, VOC_SPLITS);
    await expect(checkDataset({ dataset: 'voc12', root, expected: { train: 3 } })).rejects.toThrow(/no split "train" to expect images of; voc12 splits: train_aug, val/);
  });
});

describe('checkDataset on COCO-Stuff 164k', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir('check')));
  afterEach(() => tmp.remove());

  async function cocoFolder(): Promise<string> {
    for (const [split, ids] of [
      ['train2017', ['000000000009', '000000000025', '000000000030']],
      ['val2017', ['000000000139']],
    ] as const) {
      for (const id of ids) {
        await writeImage(path.join(tmp.dir, 'images', split, `${id}.jpg`));
        writeLabel(path.join(tmp.dir, 'annotations', split, `${id}.png`), [0, 90, 181, 255]);
      }
    }
    return tmp.dir;
  }

  it('matches with small expected counts; finds an image without label, a label without image, and values past 181', async () => {
    const root = await cocoFolder();
    const expected = { train2017: 3, val2017: 1 };
    expect((await checkDataset({ dataset: 'cocostuff', root, expected })).ok).toBe(true);
    fs.rmSync(path.join(root, 'annotations', 'train2017', '000000000025.png'));
    fs.rmSync(path.join(root, 'images', 'train2017', '000000000030.jpg'));
    writeLabel(path.join(root, 'annotations', 'val2017', '000000000139.png'), [0, 182, 200]);
    const report = await checkDataset({ dataset: 'cocostuff', root, expected });
    const [train, val] = report.splits;
    expect([train.listed, train.complete]).toEqual([3, 1]);
    expect(train.missingLabels.first).toEqual(['000000000025']);
    expect(train.missingImages.first).toEqual(['000000000030']);
    expect(val.problems).toEqual(['1 label files with values outside 0..181 and 255 (000000000139: 182, 200)']);
    expect(report.ok).toBe(false);
  });

  it('expects 118 287 + 5 000 images, reports a missing split folder and refuses a folder without images/ and annotations/', async () => {
    const root = await cocoFolder();
    fs.rmSync(path.join(root, 'images', 'val2017'), { recursive: true });
    const report = await checkDataset({ dataset: 'cocostuff', root });
    expect(report.splits.map((s) => s.expected)).toEqual([118287, 5000]);
    expect(report.splits[1].problems[0]).toBe('images/val2017/ is missing');
    await expect(checkDataset({ dataset: 'cocostuff', root: path.join(root, 'images') })).rejects.toThrow(/not a COCO-Stuff-164k folder/);
  });
});

describe('protocol label values', () => {
  it('are the values the loaders accept (VOC 0..20, COCO-Stuff 0..181 incl. never-annotated ids)', () => {
    for (const dataset of ['voc12', 'cocostuff'] as const) {
      const ids = [...datasetRealClassSpace(dataset).datasetLabelIds].sort((a, b) => a - b);
      expect(ids).toEqual(Array.from({ length: PROTOCOL_LABEL_VALUES[dataset] }, (_, i) => i));
    }
  });
});
