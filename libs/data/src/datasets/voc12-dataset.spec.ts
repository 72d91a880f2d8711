import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { DataError, IGNORE_INDEX, Registries, type LabelMap } from '@zls/core';
import { readLabelPng, writeLabelPng } from '../labels/label-png';
import { tempDir, VOC_2007_001420_LABEL, VOC_FIXTURE_ROOT } from '../real-fixtures';
import { registerRealDatasets } from '../register-real';
import { Voc12Dataset, Voc12DatasetOptions } from './voc12-dataset';

function count(map: LabelMap, value: number): number {
  let n = 0;
  for (const v of map.data) if (v === value) n++;
  return n;
}

function options(o: Partial<Voc12DatasetOptions> & { root: string }): Voc12DatasetOptions {
  return Object.assign(new Voc12DatasetOptions(), o);
}

/** A VOC2012 folder holding 2007_001420's real mask with a generated JPEG of its size (its photo is not shipped). */
async function vocWith001420(dir: string, extra: string[] = []): Promise<string> {
  const root = path.join(dir, 'VOCdevkit', 'VOC2012');
  for (const sub of ['JPEGImages', 'SegmentationClass', 'ImageSets/Segmentation']) fs.mkdirSync(path.join(root, sub), { recursive: true });
  fs.copyFileSync(VOC_2007_001420_LABEL, path.join(root, 'SegmentationClass', '2007_001420.png'));
  await sharp({ create: { width: 500, height: 332, channels: 3, background: { r: 90, g: 120, b: 60 } } }).jpeg().toFile(path.join(root, 'JPEGImages', '2007_001420.jpg'));
  for (const id of extra) {
    fs.copyFileSync(path.join(VOC_FIXTURE_ROOT, 'JPEGImages', `${id}.jpg`), path.join(root, 'JPEGImages', `${id}.jpg`));
    fs.copyFileSync(path.join(VOC_FIXTURE_ROOT, 'SegmentationClass', `${id}.png`), path.join(root, 'SegmentationClass', `${id}.png`));
  }
  fs.writeFileSync(path.join(root, 'ImageSets', 'Segmentation', 'train.txt'), [...extra, '2007_001420'].join('\n') + '\n');
  return dir;
}

describe('Voc12Dataset on the real VOC samples', () => {
  it('decodes 2007_000033 exactly: 143 868 background, 30 937 aeroplane, 8 195 void', async () => {
    const ds = new Voc12Dataset(options({ root: VOC_FIXTURE_ROOT, split: 'val' }));
    expect(ds.ids).toEqual(['2007_000033', '2007_000129']);
    const sample = await ds.get(0);
    expect(sample.id).toBe('2007_000033');
    expect([sample.image.width, sample.image.height, sample.image.channels]).toEqual([500, 366, 3]);
    expect(sample.image.data).toBeInstanceOf(Uint8Array);
    const aeroplane = ds.classSpace.outputIndexOf(1);
    expect(count(sample.hidden, aeroplane)).toBe(30937);
    // Background is no class by default: background and void both read as ignore.
    expect(count(sample.hidden, IGNORE_INDEX)).toBe(143868 + 8195);
    expect(sample.hidden.data.length).toBe(500 * 366);
  });

  it('in bkg mode background is class 0 with 143 868 pixels; the devkit or its parent folder work as root', async () => {
    for (const root of [path.dirname(VOC_FIXTURE_ROOT), path.dirname(path.dirname(VOC_FIXTURE_ROOT))]) {
      const ds = new Voc12Dataset(options({ root, split: 'val', background: 'class' }));
      const { hidden, target } = await ds.get(0);
      expect(count(hidden, 0)).toBe(143868);
      expect(count(hidden, 1)).toBe(30937);
      expect(count(hidden, IGNORE_INDEX)).toBe(8195);
      expect([...target.data]).toEqual([...hidden.data]);
    }
  });

  it('decodes the image pixels as sharp does, RGB in HWC order', async () => {
    const ds = new Voc12Dataset(options({ root: VOC_FIXTURE_ROOT, split: 'val' }));
    const sample = await ds.get(1);
    const reference = await sharp(path.join(VOC_FIXTURE_ROOT, 'JPEGImages', '2007_000129.jpg')).raw().toBuffer();
    expect(Buffer.from(sample.image.data as Uint8Array).equals(reference)).toBe(true);
    expect(count(sample.hidden, sample.hidden.data[0])).toBeGreaterThan(0);
    const person = ds.classSpace.outputIndexOf(15);
    expect(count(sample.hidden, person)).toBe(61143);
  });
});

describe('Voc12Dataset unseen masking on 2007_001420 (horse, person, potted plant)', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir('voc')));
  afterEach(() => tmp.remove());

  it('training targets turn the 3 913 potted-plant pixels into ignore; hidden labels keep them', async () => {
    const ds = new Voc12Dataset(options({ root: await vocWith001420(tmp.dir), split: 'train' }));
    expect(ds.maskUnseen).toBe(true);
    const { target, hidden } = await ds.get(0);
    const plant = ds.classSpace.outputIndexOf(16);
    expect(ds.classSpace.classes[plant].role).toBe('unseen');
    expect(count(hidden, plant)).toBe(3913);
    expect(count(target, plant)).toBe(0);
    expect(count(target, IGNORE_INDEX)).toBe(count(hidden, IGNORE_INDEX) + 3913);
    expect(count(target, ds.classSpace.outputIndexOf(13))).toBe(10990);
    expect(count(target, ds.classSpace.outputIndexOf(15))).toBe(5706);
    // Where the mask says potted plant, the target says ignore, pixel for pixel.
    const raw = readLabelPng(VOC_2007_001420_LABEL);
    raw.data.forEach((v, i) => {
      if (v === 16) expect(target.data[i]).toBe(IGNORE_INDEX);
    });
  });

  it('bkg mode relabels the potted plant as background; ZS3 mode drops the image', async () => {
    const root = await vocWith001420(tmp.dir, ['2007_000033']);
    const bkg = new Voc12Dataset(options({ root, split: 'train', background: 'class' }));
    expect(bkg.unseenPixels).toBe('background');
    const s = await bkg.get(1);
    expect(s.id).toBe('2007_001420');
    expect(count(s.target, 0)).toBe(137802 + 3913);
    expect(count(s.hidden, 16)).toBe(3913);

    // zs3-4 makes aeroplane unseen: 2007_000033 (aeroplane) is dropped, 2007_001420 is kept.
    const zs3 = new Voc12Dataset(options({ root, split: 'train', classSplit: 'zs3-4' }));
    expect(zs3.unseenPixels).toBe('drop-image');
    expect(zs3.ids).toEqual(['2007_001420']);
    expect(zs3.droppedForUnseen).toEqual(['2007_000033']);
    // zs3-10 also makes potted plant unseen: nothing is left.
    expect(() => new Voc12Dataset(options({ root, split: 'train', classSplit: 'zs3-10' }))).toThrow(
      'voc12 train: no samples to read (2 listed, 2 dropped for unseen pixels, 0 unreadable)',
    );
  });
});

describe('Voc12Dataset bad input', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir('vocbad')));
  afterEach(() => tmp.remove());

  async function failure(promise: Promise<unknown>): Promise<DataError> {
    try {
      await promise;
    } catch (e) {
      expect(e).toBeInstanceOf(DataError);
      return e as DataError;
    }
    throw new Error('expected a DataError');
  }

  it('names a missing image, a size mismatch, a value outside the class space and a corrupt JPEG', async () => {
    const dir = await vocWith001420(tmp.dir, ['2007_000033', '2007_000129']);
    const voc = path.join(dir, 'VOCdevkit', 'VOC2012');
    const jpeg = (id: string) => path.join(voc, 'JPEGImages', `${id}.jpg`);
    const png = (id: string) => path.join(voc, 'SegmentationClass', `${id}.png`);
    const ds = () => new Voc12Dataset(options({ root: dir, split: 'train' }));

    fs.rmSync(jpeg('2007_000033'));
    expect((await failure(ds().get(0))).file).toBe(jpeg('2007_000033'));

    await sharp({ create: { width: 300, height: 200, channels: 3, background: '#000' } }).jpeg().toFile(jpeg('2007_000033'));
    const mismatch = await failure(ds().get(0));
    expect(mismatch.file).toBe(png('2007_000033'));
    expect(mismatch.message).toContain(`label map is 500×366 but its image ${jpeg('2007_000033')} is 300×200`);

    const bytes = fs.readFileSync(jpeg('2007_000129'));
    fs.writeFileSync(jpeg('2007_000129'), bytes.subarray(0, bytes.length >> 1));
    const corrupt = await failure(ds().get(1));
    expect(corrupt.file).toBe(jpeg('2007_000129'));
    expect(corrupt.message).toMatch(/not a readable image/);

    const label = readLabelPng(VOC_2007_001420_LABEL);
    label.data[1234] = 42;
    writeLabelPng(png('2007_001420'), label);
    const value = await failure(ds().get(2));
    expect(value.message).toBe(`${png('2007_001420')}: label value 42 at pixel (234, 2) is not a class of this dataset nor 255 (ignore)`);
  });

  it('with skipBad counts the bad samples and serves the next good one', async () => {
    const dir = await vocWith001420(tmp.dir, ['2007_000033', '2007_000129']);
    const voc = path.join(dir, 'VOCdevkit', 'VOC2012');
    fs.rmSync(path.join(voc, 'SegmentationClass', '2007_000129.png'));
    const ds = new Voc12Dataset(options({ root: dir, split: 'train', skipBad: true }));
    const s = await ds.get(1);
    expect(s.id).toBe('2007_001420');
    expect(ds.bad).toEqual([{ id: '2007_000129', file: path.join(voc, 'SegmentationClass', '2007_000129.png'), problem: expect.stringContaining('label file is missing') }]);
  });

  it('names the list of a split that does not exist and a folder that is not VOC', () => {
    expect(() => new Voc12Dataset(options({ root: VOC_FIXTURE_ROOT, split: 'nope' }))).toThrow(
      /ImageSets\/Segmentation\/nope\.txt: no list for split "nope" \(lists here: train, trainval, val; shipped: train, train_aug, trainval, val\)/,
    );
    expect(() => new Voc12Dataset(options({ root: tmp.dir, split: 'val' }))).toThrow(`${tmp.dir}: not a PASCAL VOC folder`);
  });

  it('reads an explicit list file and the label folder asked for', async () => {
    const list = path.join(tmp.dir, 'one.txt');
    fs.writeFileSync(list, '/JPEGImages/2007_000129.jpg /SegmentationClassAug/2007_000129.png\n');
    const ds = new Voc12Dataset(options({ root: VOC_FIXTURE_ROOT, split: 'val', listFile: list, labels: 'SegmentationClass' }));
    expect(ds.ids).toEqual(['2007_000129']);
    expect(ds.files[0].label).toBe(path.join(VOC_FIXTURE_ROOT, 'SegmentationClass', '2007_000129.png'));
    expect(count((await ds.get(0)).hidden, ds.classSpace.outputIndexOf(2))).toBe(34183);
  });

  it('reads the shipped 10 582-image train_aug list when the devkit has none', () => {
    const ds = new Voc12Dataset(options({ root: VOC_FIXTURE_ROOT, split: 'train_aug' }));
    expect(ds.ids).toHaveLength(10582);
    expect(new Set(ds.ids).size).toBe(10582);
  });
});

describe('registerRealDatasets', () => {
  it('registers voc12 and cocostuff, built from validated options', async () => {
    const registries = new Registries();
    registerRealDatasets(registries);
    expect(registries.dataset.types()).toEqual(expect.arrayContaining(['cocostuff', 'voc12']));
    const ds = registries.dataset.build({ type: 'voc12', root: VOC_FIXTURE_ROOT, split: 'val', background: 'class' }, 'data.train');
    expect(ds.classSpace.numClasses).toBe(21);
    expect(ds.ids).toHaveLength(2);
    expect(() => registries.dataset.build({ type: 'voc12', split: 'val' }, 'data.train')).toThrow(/data\.train\.root/);
    expect(() => registries.dataset.build({ type: 'voc12', root: 'x', unseenPixels: 'hide' }, 'data.train')).toThrow(/data\.train\.unseenPixels: must be one of/);
  });
});
