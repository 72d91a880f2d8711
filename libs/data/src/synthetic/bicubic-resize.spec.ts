import { SeededRng } from '@zls/core';
import { cubicWeight, resizeBicubic } from './bicubic-resize';

/** Direct 2-D evaluation: out(y, x) = Σ_ij w(sy − i) w(sx − j) in(clamp(i), clamp(j)), half-pixel centres. */
function naiveBicubic(src: Float64Array, inH: number, inW: number, C: number, outH: number, outW: number): Float64Array {
  const out = new Float64Array(outH * outW * C);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const sy = ((y + 0.5) * inH) / outH - 0.5;
      const sx = ((x + 0.5) * inW) / outW - 0.5;
      for (let i = Math.floor(sy) - 1; i <= Math.floor(sy) + 2; i++) {
        for (let j = Math.floor(sx) - 1; j <= Math.floor(sx) + 2; j++) {
          const w = cubicWeight(sy - i) * cubicWeight(sx - j);
          const ci = Math.min(inH - 1, Math.max(0, i));
          const cj = Math.min(inW - 1, Math.max(0, j));
          for (let c = 0; c < C; c++) out[(y * outW + x) * C + c] += w * src[(ci * inW + cj) * C + c];
        }
      }
    }
  }
  return out;
}

describe('resizeBicubic', () => {
  it('matches a direct 2-D evaluation of the cubic kernel', () => {
    const rng = new SeededRng(4);
    const src = Float64Array.from({ length: 6 * 5 * 3 }, () => rng.next());
    const fast = resizeBicubic(src, 6, 5, 3, 17, 23);
    const ref = naiveBicubic(src, 6, 5, 3, 17, 23);
    for (let i = 0; i < ref.length; i++) expect(fast[i]).toBeCloseTo(ref[i], 12);
  });

  it('keeps a constant image constant (the kernel weights sum to 1)', () => {
    const out = resizeBicubic(new Float64Array(4 * 4).fill(0.3), 4, 4, 1, 9, 9);
    for (const v of out) expect(v).toBeCloseTo(0.3, 12);
    for (const f of [0, 0.25, 0.5, 0.9]) expect(cubicWeight(f + 1) + cubicWeight(f) + cubicWeight(f - 1) + cubicWeight(f - 2)).toBeCloseTo(1, 12);
  });

  it('uses Keys a = −0.75: w(0) = 1, w(1) = 0, w(0.5) = 0.59375, w(1.5) = −0.09375', () => {
    expect(cubicWeight(0)).toBe(1);
    expect(cubicWeight(1)).toBeCloseTo(0, 12);
    expect(cubicWeight(0.5)).toBeCloseTo(0.59375, 12);
    expect(cubicWeight(1.5)).toBeCloseTo(-0.09375, 12);
    expect(cubicWeight(2.5)).toBe(0);
  });
});
