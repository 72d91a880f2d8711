import { DATASET_FAMILY_KIND, IGNORE_INDEX, Registries, type DatasetFamily, type SegDataset } from '@zls/core';
import { describeDatasetContract } from '@zls/testing';
import { plugin } from './plugin';
import { STRIPE_CLASSES, STRIPES_UNSEEN_NAMES } from './stripes-class-space';

const registries = new Registries();
plugin.register(registries);
const build = (options: Record<string, unknown>) => registries.dataset.build({ type: 'stripes', size: 17, nTrain: 5, nTest: 4, ...options }, 'dataset') as SegDataset;
const family = () => registries.of<DatasetFamily>(DATASET_FAMILY_KIND).build({ type: 'stripes' }, 'dataset');

describeDatasetContract('stripes plugin, train', { build: () => build({ split: 'train' }), family, masksUnseen: true });
describeDatasetContract('stripes plugin, test', { build: () => build({ split: 'test' }), family });

describe('stripes plugin dataset', () => {
  it('puts seen classes first and embeds each class as its colour and orientation', () => {
    const space = build({}).classSpace;
    expect(space.unseenIndices.map((i) => space.classes[i].name)).toEqual(STRIPES_UNSEEN_NAMES);
    expect(space.seenIndices).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const row = (name: string) => Array.from(space.embeddings.subarray(space.classes.find((c) => c.name === name)!.index * 6).slice(0, 6));
    expect(row('green diagonal').map((v) => Math.round(v * Math.SQRT2))).toEqual([0, 1, 0, 0, 0, 1]);
    expect(row('red horizontal').map((v) => Math.round(v * Math.SQRT2))).toEqual([1, 0, 0, 1, 0, 0]);
  });

  it('hides unseen classes in training targets only, and shows them in the hidden labels', async () => {
    const unseen = new Set(build({}).classSpace.unseenIndices);
    let hiddenUnseen = 0;
    for (const split of ['train', 'test'] as const) {
      const ds = build({ split, nTrain: 40, nTest: 40, size: 33 });
      for (let i = 0; i < ds.ids.length; i++) {
        const s = await ds.get(i);
        for (let p = 0; p < s.hidden.data.length; p++) {
          if (!unseen.has(s.hidden.data[p])) expect(s.target.data[p]).toBe(s.hidden.data[p]);
          else {
            hiddenUnseen++;
            expect(s.target.data[p]).toBe(split === 'train' ? IGNORE_INDEX : s.hidden.data[p]);
          }
        }
      }
    }
    expect(hiddenUnseen).toBeGreaterThan(0);
  });

  it('draws a different image per seed and per split, the same for the same (seed, split, index)', async () => {
    const first = async (options: Record<string, unknown>) => Buffer.from((await build(options).get(0)).image.data);
    expect((await first({ seed: 1 })).equals(await first({ seed: 1 }))).toBe(true);
    expect((await first({ seed: 1 })).equals(await first({ seed: 2 }))).toBe(false);
    expect((await first({ split: 'train' })).equals(await first({ split: 'test' }))).toBe(false);
  });

  it('has every colour and orientation of an unseen class in some seen class', () => {
    const seen = STRIPE_CLASSES.filter((c) => !STRIPES_UNSEEN_NAMES.includes(c.name));
    for (const u of STRIPE_CLASSES.filter((c) => STRIPES_UNSEEN_NAMES.includes(c.name))) {
      expect(seen.some((c) => c.colour === u.colour)).toBe(true);
      expect(seen.some((c) => c.orientation === u.orientation)).toBe(true);
    }
  });
});
