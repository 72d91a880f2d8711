import { SeededRng, type SegSample } from '@zls/core';
import { BrightnessJitterOptions, BrightnessJitterTransform } from './brightness-jitter-transform';

function sample(data: Uint8Array | Float32Array): SegSample {
  const label = { data: Uint8Array.from([1, 2]), height: 1, width: 2 };
  return { id: 's', image: { data, height: 1, width: 2, channels: 1 }, target: label, hidden: label };
}

function jitter(strength: number): BrightnessJitterTransform {
  return new BrightnessJitterTransform(Object.assign(new BrightnessJitterOptions(), { strength }));
}

describe('brightness-jitter transform', () => {
  it('scales a uint8 image by one factor in [1 − s, 1 + s], rounding and clamping to 255', () => {
    const rng = new SeededRng(3);
    const u = new SeededRng(3).next();
    const factor = 1 + 0.5 * (2 * u - 1);
    const out = jitter(0.5).apply(sample(Uint8Array.from([100, 250])), rng);
    expect(Array.from(out.image.data)).toEqual([Math.round(100 * factor), Math.min(255, Math.round(250 * factor))]);
    expect(out.image.data).toBeInstanceOf(Uint8Array);
  });

  it('scales a normalised float image without clamping and leaves the labels alone', () => {
    const input = sample(Float32Array.from([-1.5, 2]));
    const u = new SeededRng(9).next();
    const out = jitter(0.2).apply(input, new SeededRng(9));
    const factor = 1 + 0.2 * (2 * u - 1);
    expect(Array.from(out.image.data)).toEqual([Math.fround(-1.5 * factor), Math.fround(2 * factor)]);
    expect(out.target).toBe(input.target);
    expect(out.hidden).toBe(input.hidden);
  });

  it('is the identity at strength 0 and does not modify its input', () => {
    const input = sample(Uint8Array.from([7, 8]));
    const out = jitter(0).apply(input, new SeededRng(1));
    expect(Array.from(out.image.data)).toEqual([7, 8]);
    expect(out.image.data).not.toBe(input.image.data);
  });
});
