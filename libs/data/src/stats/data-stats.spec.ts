import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { readLabelPng } from '../labels/label-png';
import { tempDir, VOC_2007_001420_LABEL, VOC_FIXTURE_ROOT } from '../real-fixtures';
import { computeDataStats } from './data-stats';

/** Reference counts straight from the label files: value → pixels. */
function labelHistogram(files: string[]): Map<number, number> {
  const h = new Map<number, number>();
  for (const f of files) for (const v of readLabelPng(f).data) h.set(v, (h.get(v) ?? 0) + 1);
  return h;
}

describe('computeDataStats', () => {
  it('counts the VOC val sample per class and lists every image list', async () => {
    const report = await computeDataStats({ dataset: 'voc12', root: VOC_FIXTURE_ROOT, split: 'val' });
    const h = labelHistogram(['2007_000033', '2007_000129'].map((id) => path.join(VOC_FIXTURE_ROOT, 'SegmentationClassAug', `${id}.png`)));
    expect(report.images).toEqual({ listed: 2, read: 2, bad: 0, droppedForUnseen: 0, used: 2 });
    const byLabel = new Map(report.classes.map((c) => [c.labelId, c]));
    for (const id of [1, 2, 15]) {
      expect(byLabel.get(id)?.pixelsBefore).toBe(h.get(id));
      expect(byLabel.get(id)?.pixelsAfter).toBe(h.get(id));
    }
    expect(byLabel.get(1)?.images).toBe(1);
    const ignored = (h.get(0) ?? 0) + (h.get(255) ?? 0);
    expect(report.pixels.ignoredBefore).toBe(ignored);
    expect(report.pixels.ignoredShareBefore).toBeCloseTo(ignored / (500 * 366 + 334 * 500), 12);
    expect(report.masking).toEqual({ maskUnseen: false, unseenPixels: 'ignore' });
    expect(report.lists).toEqual([
      { name: 'train', images: 0, source: 'dataset' },
      { name: 'trainval', images: 2, source: 'dataset' },
      { name: 'val', images: 2, source: 'dataset' },
      { name: 'train_aug', images: 10582, source: 'shipped' },
    ]);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  describe('on a training list', () => {
    let tmp: ReturnType<typeof tempDir>;
    beforeEach(async () => {
      tmp = tempDir('stats');
      const root = path.join(tmp.dir, 'VOC2012');
      for (const sub of ['JPEGImages', 'SegmentationClass', 'ImageSets/Segmentation']) fs.mkdirSync(path.join(root, sub), { recursive: true });
      fs.copyFileSync(VOC_2007_001420_LABEL, path.join(root, 'SegmentationClass', '2007_001420.png'));
      await sharp({ create: { width: 500, height: 332, channels: 3, background: '#456' } }).jpeg().toFile(path.join(root, 'JPEGImages', '2007_001420.jpg'));
      fs.copyFileSync(path.join(VOC_FIXTURE_ROOT, 'SegmentationClass', '2007_000033.png'), path.join(root, 'SegmentationClass', '2007_000033.png'));
      fs.writeFileSync(path.join(root, 'ImageSets', 'Segmentation', 'train.txt'), '2007_001420\n2007_000033\n');
    });
    afterEach(() => tmp.remove());

    it('shows unseen pixels before masking and none after; without skipBad a missing image fails naming it', async () => {
      await expect(computeDataStats({ dataset: 'voc12', root: tmp.dir, split: 'train' })).rejects.toThrow(
        `${path.join(tmp.dir, 'VOC2012', 'JPEGImages', '2007_000033.jpg')}: image file is missing`,
      );
      const report = await computeDataStats({ dataset: 'voc12', root: tmp.dir, split: 'train', skipBad: true });
      expect(report.images).toEqual({ listed: 2, read: 1, bad: 1, droppedForUnseen: 0, used: 1 });
      expect(report.bad[0].id).toBe('2007_000033');
      const plant = report.classes.find((c) => c.labelId === 16);
      expect(plant).toMatchObject({ role: 'unseen', pixelsBefore: 3913, pixelsAfter: 0, images: 1 });
      expect(report.pixels.ignoredAfter - report.pixels.ignoredBefore).toBe(3913);
      expect(report.pixels.before).toBe(500 * 332);
    });

    it("counts the images 'drop-image' leaves out and in bkg mode moves unseen pixels to background", async () => {
      const dropped = await computeDataStats({ dataset: 'voc12', root: tmp.dir, split: 'train', skipBad: true, unseenPixels: 'drop-image' });
      expect(dropped.images.droppedForUnseen).toBe(1);
      expect(dropped.pixels.after).toBe(0);
      const bkg = await computeDataStats({ dataset: 'voc12', root: tmp.dir, split: 'train', skipBad: true, background: 'class' });
      const background = bkg.classes.find((c) => c.labelId === 0);
      expect(background).toMatchObject({ index: 0, pixelsBefore: 137802, pixelsAfter: 137802 + 3913 });
    });
  });
});
