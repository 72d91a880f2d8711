import { IGNORE_INDEX as I } from '@zls/core';
import { intersectViews } from './consistency';
import { keepTopFractionPerClass, keepTopFractionPerClassOf } from './top-p';

const u8 = (xs: number[]) => Uint8Array.from(xs);

describe('intersectViews', () => {
  it('keeps a label only where every view agrees', () => {
    const a = u8([1, 2, 3, I, 4]);
    const b = u8([1, 2, 4, I, 4]);
    const c = u8([1, 3, 3, I, I]);
    expect(intersectViews([a, b, c])).toEqual(u8([1, I, I, I, I]));
  });

  it('is the identity for one view and does not modify its input', () => {
    const a = u8([5, I, 6]);
    expect(intersectViews([a])).toEqual(a);
    intersectViews([a, u8([0, 0, 0])]);
    expect(a).toEqual(u8([5, I, 6]));
  });

  it('refuses views of different sizes', () => {
    expect(() => intersectViews([u8([1]), u8([1, 2])])).toThrow(/differ|disagree/);
  });
});

describe('keepTopFractionPerClass', () => {
  it('keeps the most confident quarter of each class separately', () => {
    // class 1 on 8 pixels, class 2 on 4 pixels; 25 % → 2 and 1 pixels.
    const labels = u8([1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, I]);
    const conf = Float32Array.from([0.1, 0.9, 0.3, 0.8, 0.2, 0.4, 0.5, 0.6, 0.7, 0.95, 0.1, 0.2, 1]);
    expect(keepTopFractionPerClass(labels, conf, 0.25)).toEqual(u8([I, 1, I, 1, I, I, I, I, I, 2, I, I, I]));
  });

  it('keeps at least one pixel of a class and everything at fraction 1', () => {
    const labels = u8([3, 4, 4]);
    const conf = Float32Array.from([0.2, 0.1, 0.3]);
    expect(keepTopFractionPerClass(labels, conf, 0.01)).toEqual(u8([3, I, 4]));
    expect(keepTopFractionPerClass(labels, conf, 1)).toEqual(labels);
  });

  /** The rule written plainly: sort each class's pixels by confidence (ties: earlier first), keep the top share. */
  function naive(labels: Uint8Array, confidence: Float32Array, fraction: number): Uint8Array {
    const out = new Uint8Array(labels.length).fill(I);
    for (const c of new Set(labels)) {
      if (c === I) continue;
      const pixels = [...labels.keys()].filter((p) => labels[p] === c).sort((a, b) => confidence[b] - confidence[a] || a - b);
      pixels.slice(0, Math.max(1, Math.round(pixels.length * fraction))).forEach((p) => (out[p] = c));
    }
    return out;
  }

  it('equals the plain sort over samples taken together: many ties, negative and tiny values, one bin apart', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    // Values that share their high 16 bits (1 + k·2⁻²³) and exact ties force the second radix level and the tie rule.
    const pool = [0, 1e-30, -0.5, 0.25, 0.5, 1, 1 + 2 ** -23, 1 + 2 * 2 ** -23, 1 + 3 * 2 ** -23, 0.7, 0.700001];
    const sizes = [0, 37, 1, 250, 64];
    const samples = sizes.map((n) => ({
      labels: Uint8Array.from({ length: n }, () => (rand() < 0.1 ? I : Math.floor(rand() * 4))),
      confidence: Float32Array.from({ length: n }, () => (rand() < 0.6 ? pool[Math.floor(rand() * pool.length)] : rand() * 2 - 0.5)),
    }));
    const labels = new Uint8Array(samples.flatMap((s) => [...s.labels]));
    const confidence = new Float32Array(samples.flatMap((s) => [...s.confidence]));
    for (const fraction of [0.001, 0.1, 0.25, 0.5, 0.9, 1]) {
      const expected = naive(labels, confidence, fraction);
      expect(keepTopFractionPerClass(labels, confidence, fraction)).toEqual(expected);
      const chunked = keepTopFractionPerClassOf(samples, fraction);
      expect(chunked.map((c) => c.length)).toEqual(sizes);
      expect(new Uint8Array(chunked.flatMap((c) => [...c]))).toEqual(expected);
    }
  });

  it('reads confidences that are views into a larger buffer', () => {
    const buffer = new Float32Array([9, 0.2, 0.9, 0.5, 9]);
    expect(keepTopFractionPerClass(u8([1, 1, 1]), buffer.subarray(1, 4), 0.34)).toEqual(u8([I, 1, I]));
  });

  it('validates its inputs', () => {
    expect(() => keepTopFractionPerClass(u8([1]), new Float32Array(2), 0.5)).toThrow(/differ in length/);
    expect(() => keepTopFractionPerClassOf([{ labels: u8([1]), confidence: new Float32Array(1) }, { labels: u8([1, 2]), confidence: new Float32Array(1) }], 0.5)).toThrow(/sample 1: .*differ in length/);
    expect(() => keepTopFractionPerClass(u8([1]), new Float32Array(1), 0)).toThrow(/fraction must be in/);
  });
});
