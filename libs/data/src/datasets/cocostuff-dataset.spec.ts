import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { IGNORE_INDEX, type LabelMap } from '@zls/core';
import { writeLabelPng } from '../labels/label-png';
import { COCO_FIXTURE_ROOT, COCO_SAMPLE_ID, tempDir } from '../real-fixtures';
import { CocostuffDataset, CocostuffDatasetOptions } from './cocostuff-dataset';

function count(map: LabelMap, value: number): number {
  let n = 0;
  for (const v of map.data) if (v === value) n++;
  return n;
}

const options = (o: Partial<CocostuffDatasetOptions> & { root: string }) => Object.assign(new CocostuffDatasetOptions(), o);

describe('CocostuffDataset on the real COCO-Stuff annotator example', () => {
  it('tree (168) and clouds (105) are unseen: ignore in the target, kept in hidden; sky-other (156) is seen', async () => {
    const ds = new CocostuffDataset(options({ root: COCO_FIXTURE_ROOT }));
    expect(ds.ids).toEqual([COCO_SAMPLE_ID]);
    expect(ds.maskUnseen).toBe(true);
    const { image, target, hidden } = await ds.get(0);
    expect([image.width, image.height, image.channels]).toEqual([640, 427, 3]);
    const space = ds.classSpace;
    const tree = space.outputIndexOf(168);
    const clouds = space.outputIndexOf(105);
    const sky = space.outputIndexOf(156);
    expect([space.classes[tree].role, space.classes[clouds].role, space.classes[sky].role]).toEqual(['unseen', 'unseen', 'seen']);
    expect([count(hidden, tree), count(hidden, clouds), count(hidden, sky)]).toEqual([14886, 47140, 6182]);
    expect([count(target, tree), count(target, clouds), count(target, sky)]).toEqual([0, 0, 6182]);
    expect(count(target, IGNORE_INDEX)).toBe(640 * 427 - 6182);
    expect(count(hidden, IGNORE_INDEX)).toBe(640 * 427 - 6182 - 14886 - 47140);
  });

  it('on val2017 nothing is masked', async () => {
    const { dir, remove } = tempDir('coco');
    try {
      for (const sub of ['images', 'annotations']) fs.mkdirSync(path.join(dir, sub, 'val2017'), { recursive: true });
      fs.copyFileSync(path.join(COCO_FIXTURE_ROOT, 'images', 'train2017', `${COCO_SAMPLE_ID}.jpg`), path.join(dir, 'images', 'val2017', `${COCO_SAMPLE_ID}.jpg`));
      fs.copyFileSync(path.join(COCO_FIXTURE_ROOT, 'annotations', 'train2017', `${COCO_SAMPLE_ID}.png`), path.join(dir, 'annotations', 'val2017', `${COCO_SAMPLE_ID}.png`));
      const ds = new CocostuffDataset(options({ root: dir, split: 'val2017' }));
      const { target, hidden } = await ds.get(0);
      expect([...target.data]).toEqual([...hidden.data]);
      expect(count(target, ds.classSpace.outputIndexOf(168))).toBe(14886);
    } finally {
      remove();
    }
  });

  it('reads never-annotated ids as ignore, rejects values above 181 naming the file, names a missing split', async () => {
    const { dir, remove } = tempDir('coco');
    try {
      for (const sub of ['images', 'annotations']) fs.mkdirSync(path.join(dir, sub, 'train2017'), { recursive: true });
      await sharp({ create: { width: 3, height: 1, channels: 3, background: '#808080' } }).jpeg().toFile(path.join(dir, 'images', 'train2017', 'a.jpg'));
      const label = path.join(dir, 'annotations', 'train2017', 'a.png');
      writeLabelPng(label, { width: 3, height: 1, data: Uint8Array.of(11, 0, 90) }); // street sign, person, hair brush
      const ds = new CocostuffDataset(options({ root: dir }));
      const { hidden } = await ds.get(0);
      expect([...hidden.data]).toEqual([IGNORE_INDEX, ds.classSpace.outputIndexOf(0), IGNORE_INDEX]);
      expect(ds.classSpace.outputIndexOf(0)).toBe(0);

      writeLabelPng(label, { width: 3, height: 1, data: Uint8Array.of(0, 182, 0) });
      await expect(new CocostuffDataset(options({ root: dir })).get(0)).rejects.toThrow(`${label}: label value 182 at pixel (1, 0)`);
      expect(() => new CocostuffDataset(options({ root: dir, split: 'val2017' }))).toThrow(/no annotation folder for split "val2017" \(found: train2017\)/);
    } finally {
      remove();
    }
  });
});
