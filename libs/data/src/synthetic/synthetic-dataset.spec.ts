import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { ConfigError, IGNORE_INDEX, Registries } from '@zls/core';
import { registerSyntheticComponents } from './register';
import { SyntheticDataset, syntheticOptions } from './synthetic-dataset';
import { BACKGROUND_LABEL_ID, UNSEEN_LABEL_IDS } from './synthetic-recipe';

function dataset(partial: Parameters<typeof syntheticOptions>[0] = {}): SyntheticDataset {
  return new SyntheticDataset(syntheticOptions({ nTrain: 40, nVal: 10, nTest: 10, ...partial }));
}

describe('SyntheticDataset', () => {
  it('gives identical bytes for the same seed, and different images for another seed or split', () => {
    const a = dataset({ seed: 3 });
    const b = dataset({ seed: 3 });
    for (let i = 0; i < 5; i++) {
      expect(Buffer.from(a.raw(i).image).equals(Buffer.from(b.raw(i).image))).toBe(true);
      expect(Buffer.from(a.raw(i).label).equals(Buffer.from(b.raw(i).label))).toBe(true);
    }
    const other = dataset({ seed: 4 });
    const test = dataset({ seed: 3, split: 'test' });
    expect(Buffer.from(other.raw(0).image).equals(Buffer.from(a.raw(0).image))).toBe(false);
    expect(Buffer.from(test.raw(0).image).equals(Buffer.from(a.raw(0).image))).toBe(false);
    // Lazy, per-index generation: image 7 does not depend on having generated 0..6 first.
    expect(Buffer.from(dataset({ seed: 3 }).raw(7).image).equals(Buffer.from(a.raw(7).image))).toBe(true);
  });

  it('never repeats an image across splits or data seeds (the test split is not a copy of training images)', () => {
    const seen = new Map<string, string>();
    for (const seed of [0, 1])
      for (const split of ['train', 'val', 'test'] as const) {
        const d = new SyntheticDataset(syntheticOptions({ seed, split, size: 32, nTrain: 256, nVal: 64, nTest: 128 }));
        for (let i = 0; i < d.ids.length; i++) {
          const key = createHash('sha1').update(d.raw(i).image).digest('hex');
          const where = `seed ${seed} ${split} ${i}`;
          expect([where, seen.get(key)]).toEqual([where, undefined]);
          seen.set(key, where);
        }
      }
    expect(seen.size).toBe(2 * (256 + 64 + 128));
  });

  it('lands near the recipe statistics: ~80 % background, ~5 % unseen-object pixels', () => {
    const ds = dataset({ nTrain: 150, seed: 1 });
    let background = 0;
    let unseen = 0;
    let total = 0;
    const labelsSeen = new Set<number>();
    for (let i = 0; i < ds.ids.length; i++) {
      for (const v of ds.raw(i).label) {
        total++;
        labelsSeen.add(v);
        if (v === IGNORE_INDEX) background++;
        else if (UNSEEN_LABEL_IDS.includes(v)) unseen++;
      }
    }
    expect(background / total).toBeGreaterThan(0.74);
    expect(background / total).toBeLessThan(0.86);
    expect(unseen / total).toBeGreaterThan(0.035);
    expect(unseen / total).toBeLessThan(0.07);
    expect([...labelsSeen].sort((x, y) => x - y)).toEqual([...Array.from({ length: 20 }, (_, k) => k), IGNORE_INDEX]);
  });

  it('masks unseen classes as ignore in training targets and keeps them in hidden', async () => {
    const ds = dataset();
    const unseenIdx = new Set(ds.classSpace.unseenIndices);
    let unseenPixels = 0;
    let wrong = 0;
    for (let i = 0; i < 20; i++) {
      const s = await ds.get(i);
      const raw = ds.raw(i).label;
      expect(s.image.data.length).toBe(64 * 64 * 3);
      for (let p = 0; p < raw.length; p++) {
        if (s.hidden.data[p] !== ds.classSpace.outputIndexOf(raw[p])) wrong++;
        if (unseenIdx.has(s.hidden.data[p])) {
          unseenPixels++;
          if (s.target.data[p] !== IGNORE_INDEX) wrong++;
        } else if (s.target.data[p] !== s.hidden.data[p]) {
          wrong++;
        }
      }
    }
    expect(wrong).toBe(0);
    expect(unseenPixels).toBeGreaterThan(0);
  });

  it('keeps full labels in the target of val and test', async () => {
    for (const split of ['val', 'test'] as const) {
      const ds = dataset({ split });
      const s = await ds.get(0);
      expect(Buffer.from(s.target.data).equals(Buffer.from(s.hidden.data))).toBe(true);
    }
  });

  it("in 'class' mode makes background a seen class and relabels unseen training pixels as background", async () => {
    const ds = dataset({ background: 'class' });
    const space = ds.classSpace;
    expect(space.backgroundIsClass).toBe(true);
    expect(space.backgroundIndex).toBe(0);
    expect(space.labelIdOf(0)).toBe(BACKGROUND_LABEL_ID);
    const bg = space.backgroundIndex as number;
    const unseenIdx = new Set(space.unseenIndices);
    let relabelled = 0;
    let wrong = 0;
    for (let i = 0; i < 20; i++) {
      const s = await ds.get(i);
      const raw = ds.raw(i).label;
      for (let p = 0; p < raw.length; p++) {
        if (raw[p] === IGNORE_INDEX && s.hidden.data[p] !== bg) wrong++;
        if (s.target.data[p] === IGNORE_INDEX) wrong++;
        if (unseenIdx.has(s.hidden.data[p])) {
          relabelled++;
          if (s.target.data[p] !== bg) wrong++;
        } else if (s.target.data[p] !== s.hidden.data[p]) {
          wrong++;
        }
      }
    }
    expect(wrong).toBe(0);
    expect(relabelled).toBeGreaterThan(0);
    // Same images in both modes: the mode only changes labels.
    expect(Buffer.from(ds.raw(0).image).equals(Buffer.from(dataset().raw(0).image))).toBe(true);
  });

  it('sizes splits from the options and names samples by split and index', () => {
    expect(dataset({ split: 'val', nVal: 7 }).ids).toEqual(Array.from({ length: 7 }, (_, i) => `val_0000${i}`));
    expect(() => dataset().raw(40)).toThrow(/index 40 outside 0\.\.39/);
  });

  it('scales the recipe with the image size', async () => {
    const s = await dataset({ size: 32 }).get(0);
    expect([s.image.height, s.image.width, s.image.data.length, s.target.data.length]).toEqual([32, 32, 32 * 32 * 3, 32 * 32]);
  });

  it('is registered as dataset type "synthetic" with validated options', () => {
    const registries = new Registries();
    registerSyntheticComponents(registries);
    const ds = registries.dataset.build({ type: 'synthetic', nTrain: 5, split: 'train', seed: 2 }, 'data.train') as SyntheticDataset;
    expect(ds.ids.length).toBe(5);
    expect(ds.classSpace.numClasses).toBe(20);
    expect(() => registries.dataset.build({ type: 'synthetic', background: 'maybe' }, 'data.train')).toThrow(ConfigError);
    expect(() => registries.dataset.build({ type: 'synthetic', background: 'maybe' }, 'data.train')).toThrow(/data\.train\.background/);
  });
});
