import { IGNORE_INDEX, SeededRng, type SegSample } from '@zls/core';
import { ComposedTransform } from './compose-transforms';
import { flipSample, HorizontalFlipOptions, HorizontalFlipTransform } from './horizontal-flip-transform';
import { PadOptions, PadTransform } from './pad-transform';
import { RandomCropOptions, RandomCropTransform } from './random-crop-transform';
import { RandomScaleOptions, RandomScaleTransform } from './random-scale-transform';
import { ResizeOptions, ResizeTransform } from './resize-transform';
import { NormalizeOptions, NormalizeTransform } from './normalize-transform';
import { randomSample } from './test-samples';

function same(a: SegSample, b: SegSample): boolean {
  const eq = (x: ArrayLike<number>, y: ArrayLike<number>) => x.length === y.length && Array.prototype.every.call(x, (v, i) => v === y[i]);
  return eq(a.image.data, b.image.data) && eq(a.target.data, b.target.data) && eq(a.hidden.data, b.hidden.data);
}

/** Where the target is set, image channel 0 must still read 10·label + 1: image and labels moved together. */
function aligned(s: SegSample): boolean {
  for (let p = 0; p < s.target.data.length; p++) {
    if (s.target.data[p] !== IGNORE_INDEX && s.image.data[p * 3] !== ((10 * s.target.data[p] + 1) & 255)) return false;
  }
  return true;
}

const opts = <T extends object>(cls: new () => T, values: Partial<T>): T => Object.assign(new cls(), values);

describe('horizontal flip', () => {
  it('applied twice is the identity, and once mirrors image, target and hidden', () => {
    const s = randomSample(5, 7, 1, [0, 3, 9]);
    const once = flipSample(s);
    expect(same(once, s)).toBe(false);
    expect(same(flipSample(once), s)).toBe(true);
    expect(once.target.data[2 * 7 + 0]).toBe(s.target.data[2 * 7 + 6]);
    expect(once.hidden.data[4 * 7 + 1]).toBe(s.hidden.data[4 * 7 + 5]);
    expect(Array.from(once.image.data.subarray(0, 3))).toEqual(Array.from(s.image.data.subarray(18, 21)));
    expect(aligned(once)).toBe(true);
  });

  it('flips with the configured probability', () => {
    const s = randomSample(4, 6, 2, [1, 2]);
    const flip = new HorizontalFlipTransform(opts(HorizontalFlipOptions, { probability: 0.9 }));
    const rng = new SeededRng(3);
    let flipped = 0;
    for (let i = 0; i < 2000; i++) if (!same(flip.apply(s, rng), s)) flipped++;
    expect(flipped / 2000).toBeGreaterThan(0.87);
    expect(flipped / 2000).toBeLessThan(0.93);
    const never = new HorizontalFlipTransform(opts(HorizontalFlipOptions, { probability: 0 }));
    expect(never.apply(s, rng)).toBe(s);
  });
});

describe('random scale + pad + crop', () => {
  const pipeline = new ComposedTransform([
    new RandomScaleTransform(opts(RandomScaleOptions, { min: 0.5, max: 1.5 })),
    new PadTransform(opts(PadOptions, { height: 24, width: 24 })),
    new RandomCropTransform(opts(RandomCropOptions, { height: 24, width: 24 })),
  ]);

  it('never creates a label value that was not in the input (255 included)', () => {
    const values = [0, 4, 17, IGNORE_INDEX];
    for (let seed = 0; seed < 40; seed++) {
      const out = pipeline.apply(randomSample(19, 33, seed, values), new SeededRng(100 + seed));
      expect(out.image.height).toBe(24);
      expect(out.target.width).toBe(24);
      for (const label of [out.target, out.hidden]) for (const v of new Set(label.data)) expect(values).toContain(v);
    }
  });

  it('is deterministic in the rng seed', () => {
    const s = randomSample(19, 33, 5, [1, 2, 3]);
    expect(same(pipeline.apply(s, new SeededRng(8)), pipeline.apply(s, new SeededRng(8)))).toBe(true);
    expect(same(pipeline.apply(s, new SeededRng(8)), pipeline.apply(s, new SeededRng(9)))).toBe(false);
  });

  it('pads bottom/right with 0 (image) and 255 (labels), and crops image and labels at the same place', () => {
    const s = randomSample(3, 4, 6, [2, 5]);
    const padded = new PadTransform(opts(PadOptions, { height: 5, width: 6 })).apply(s, new SeededRng(0));
    expect([padded.image.height, padded.image.width]).toEqual([5, 6]);
    expect(padded.target.data[0 * 6 + 5]).toBe(IGNORE_INDEX);
    expect(padded.hidden.data[4 * 6 + 0]).toBe(IGNORE_INDEX);
    expect(padded.target.data[1 * 6 + 2]).toBe(s.target.data[1 * 4 + 2]);
    expect(Array.from(padded.image.data.subarray((4 * 6 + 5) * 3, (4 * 6 + 6) * 3))).toEqual([0, 0, 0]);
    const crop = new RandomCropTransform(opts(RandomCropOptions, { height: 2, width: 3 }));
    for (let seed = 0; seed < 10; seed++) expect(aligned(crop.apply(padded, new SeededRng(seed)))).toBe(true);
  });

  it('refuses a crop larger than the sample and says to pad', () => {
    const crop = new RandomCropTransform(opts(RandomCropOptions, { height: 10, width: 10 }));
    expect(() => crop.apply(randomSample(5, 20, 1, [1]), new SeededRng(1))).toThrow(/sample-1 is 5×20, smaller than the 10×10 crop; add a pad/);
  });
});

describe('random scale with keepSize (the synthetic protocol)', () => {
  const keep = (min: number, max: number) => new RandomScaleTransform(opts(RandomScaleOptions, { min, max, keepSize: true }));

  it('returns the input size at every scale, image and labels moved together', () => {
    const t = keep(0.5, 1.5);
    for (let seed = 0; seed < 30; seed++) {
      const out = t.apply(randomSample(17, 17, seed, [0, 3, 9]), new SeededRng(seed));
      expect([out.image.height, out.image.width, out.target.height, out.hidden.width]).toEqual([17, 17, 17, 17]);
    }
  });

  it('pads a shrunk sample at the bottom/right with 255 labels and a black image', () => {
    const s = randomSample(20, 20, 4, [1, 2]);
    const out = keep(0.5, 0.5).apply(s, new SeededRng(1));
    // floor(20 · 0.5) = 10 rows and columns of content; the crop of a 20 × 20 canvas can only start at 0.
    expect(out.target.data[0]).not.toBe(IGNORE_INDEX);
    expect(out.target.data[15 * 20 + 3]).toBe(IGNORE_INDEX);
    expect(out.hidden.data[3 * 20 + 15]).toBe(IGNORE_INDEX);
    expect(Array.from(out.image.data.subarray((19 * 20 + 19) * 3, (19 * 20 + 20) * 3))).toEqual([0, 0, 0]);
  });

  it('crops an enlarged sample at a random place, the same for image, target and hidden', () => {
    const s = randomSample(16, 16, 2, [4, 7]);
    const t = keep(1.5, 1.5);
    const tops = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      const out = t.apply(s, new SeededRng(seed));
      expect(out.target.data.every((v) => v !== IGNORE_INDEX)).toBe(true); // no padding at ×1.5
      tops.add(Array.from(out.target.data.subarray(0, 4)).join());
    }
    expect(tops.size).toBeGreaterThan(1);
  });

  it('is not fused with a following pad + crop (it has done both already)', () => {
    const pipeline = new ComposedTransform([keep(0.5, 1.5), new PadTransform(opts(PadOptions, { height: 24, width: 24 })), new RandomCropTransform(opts(RandomCropOptions, { height: 24, width: 24 }))]);
    const unfused = new ComposedTransform(pipeline.transforms, false);
    const s = randomSample(19, 19, 3, [1, 2]);
    expect(same(pipeline.apply(s, new SeededRng(4)), unfused.apply(s, new SeededRng(4)))).toBe(true);
  });
});

describe('fused random-scale + pad + crop', () => {
  const steps = [
    new RandomScaleTransform(opts(RandomScaleOptions, { min: 0.5, max: 1.5 })),
    new PadTransform(opts(PadOptions, { height: 30, width: 30, imageValue: 7 })),
    new RandomCropTransform(opts(RandomCropOptions, { height: 21, width: 25 })),
  ];

  it('gives bit-identical output to the three separate steps (uint8 and float32 images)', () => {
    const fused = new ComposedTransform(steps);
    const separate = new ComposedTransform(steps, false);
    for (let seed = 0; seed < 40; seed++) {
      const s = randomSample(seed % 2 ? 30 : 17, 31, seed, [0, 3, 8, IGNORE_INDEX]);
      const input = seed % 3 ? s : { ...s, image: { ...s.image, data: Float32Array.from(s.image.data, (v) => v * 0.37 - 5) } };
      const a = fused.apply(input, new SeededRng(seed));
      const b = separate.apply(input, new SeededRng(seed));
      expect(a.image.data.constructor).toBe(b.image.data.constructor);
      expect([a.image.height, a.image.width]).toEqual([b.image.height, b.image.width]);
      expect(same(a, b)).toBe(true);
    }
  });

  it('fuses a preceding resize (warp or short side) with identical output', () => {
    for (const resize of [new ResizeTransform(opts(ResizeOptions, { size: 26 })), new ResizeTransform(opts(ResizeOptions, { mode: 'short-side', size: 23 }))]) {
      const fused = new ComposedTransform([resize, ...steps]);
      const separate = new ComposedTransform([resize, ...steps], false);
      for (let seed = 0; seed < 40; seed++) {
        const s = randomSample(15 + (seed % 7), 31 - (seed % 5), seed, [0, 3, 8, IGNORE_INDEX]);
        expect(same(fused.apply(s, new SeededRng(seed)), separate.apply(s, new SeededRng(seed)))).toBe(true);
      }
    }
  });

  it('keeps the crop-size error of the separate steps', () => {
    const tooBig = new ComposedTransform([steps[0], steps[1], new RandomCropTransform(opts(RandomCropOptions, { height: 40, width: 10 }))]);
    expect(() => tooBig.apply(randomSample(10, 10, 1, [1]), new SeededRng(2))).toThrow(/smaller than the 40×10 crop/);
  });
});

describe('fused flip + normalize, written into a batch buffer', () => {
  const steps = [
    new HorizontalFlipTransform(opts(HorizontalFlipOptions, { probability: 0.5 })),
    new NormalizeTransform(opts(NormalizeOptions, { preset: 'caffe-bgr' })),
  ];

  it('matches flip then normalize, through apply() and applyInto()', () => {
    const fused = new ComposedTransform(steps);
    const separate = new ComposedTransform(steps, false);
    expect(fused.endsInNormalization).toBe(true);
    let flips = 0;
    for (let seed = 0; seed < 20; seed++) {
      const s = randomSample(6, 9, seed, [1, 2, IGNORE_INDEX]);
      const a = fused.apply(s, new SeededRng(seed));
      const b = separate.apply(s, new SeededRng(seed));
      expect(same(a, b)).toBe(true);
      const dst = new Float32Array(3 * 6 * 9 * 3).fill(-1);
      const labels = fused.applyInto(s, new SeededRng(seed), dst, 6 * 9 * 3);
      expect(Array.from(dst.subarray(6 * 9 * 3, 2 * 6 * 9 * 3))).toEqual(Array.from(b.image.data));
      expect(dst[0]).toBe(-1);
      expect(dst[2 * 6 * 9 * 3]).toBe(-1);
      expect(Array.from(labels.target.data)).toEqual(Array.from(b.target.data));
      expect(Array.from(labels.hidden.data)).toEqual(Array.from(b.hidden.data));
      if (!Array.from(b.target.data).every((v, i) => v === s.target.data[i])) flips++;
    }
    expect(flips).toBeGreaterThan(0);
    expect(flips).toBeLessThan(20);
  });

  it('refuses applyInto when the pipeline does not end in a normalisation', () => {
    const noNorm = new ComposedTransform([steps[0]]);
    expect(noNorm.endsInNormalization).toBe(false);
    expect(() => noNorm.applyInto(randomSample(2, 2, 1, [1]), new SeededRng(1), new Float32Array(12), 0)).toThrow(/does not end in a normalize/);
  });
});
