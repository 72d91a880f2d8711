import * as path from 'node:path';
import { tempDir } from '../real-fixtures';
import { writeSyntheticVoc } from '../synthetic/write-voc-layout';
import { computeDataStats } from './data-stats';

describe('computeDataStats on the synthetic benchmark written in the VOC layout', () => {
  it('reads the PNG images and label ids 0..20, and masks the 5 unseen classes on train', async () => {
    const { dir, remove } = tempDir('synth');
    try {
      const out = path.join(dir, 'synth');
      await writeSyntheticVoc({ out, size: 32, nTrain: 6, nVal: 2, nTest: 2 });
      const report = await computeDataStats({ dataset: 'synthetic', root: out, split: 'train' });
      expect(report.images).toMatchObject({ listed: 6, read: 6, bad: 0 });
      expect(report.classSpace).toMatchObject({ numClasses: 20, unseen: 5 });
      const unseen = report.classes.filter((c) => c.role === 'unseen');
      expect(unseen.every((c) => c.pixelsAfter === 0)).toBe(true);
      const unseenBefore = unseen.reduce((s, c) => s + c.pixelsBefore, 0);
      expect(unseenBefore).toBeGreaterThan(0);
      expect(report.pixels.ignoredAfter - report.pixels.ignoredBefore).toBe(unseenBefore);
      expect(report.lists.map((l) => [l.name, l.images])).toEqual([['test', 2], ['train', 6], ['val', 2]]);
    } finally {
      remove();
    }
  });
});
