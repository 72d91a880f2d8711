import { normalValues } from './init';

describe('normalValues', () => {
  it('has mean 0 and the requested standard deviation, and repeats for a seed', () => {
    const v = normalValues(200_001, 0.5, 42);
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const sd = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
    expect(Math.abs(mean)).toBeLessThan(0.005);
    expect(Math.abs(sd - 0.5)).toBeLessThan(0.005);
    // Normal tails: about 4.55 % beyond 2σ.
    const tail = v.filter((x) => Math.abs(x) > 1).length / v.length;
    expect(Math.abs(tail - 0.0455)).toBeLessThan(0.003);
    expect(Array.from(normalValues(5, 1, 42))).toEqual(Array.from(v.subarray(0, 5)).map((x) => x * 2));
    expect(Array.from(normalValues(5, 1, 43))).not.toEqual(Array.from(normalValues(5, 1, 42)));
  });
});
