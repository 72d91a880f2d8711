import { resizeLabelMapNearest } from './resize-nearest';
import { labelMap } from './testing/fake-class-space';

describe('resizeLabelMapNearest', () => {
  it('doubles every pixel when upscaling ×2', () => {
    const out = resizeLabelMapNearest(labelMap([1, 2, 3, 4, 5, 6], 2, 3), 4, 6);
    expect(Array.from(out.data)).toEqual([1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6]);
  });

  it('samples top-left aligned when downscaling (floor(x · src/dst)), not centre-aligned', () => {
    // 5 → 3 columns: x = 0, 1, 2 read source 0, floor(1.67) = 1, floor(3.33) = 3
    const out = resizeLabelMapNearest(labelMap([10, 11, 12, 13, 14], 1, 5), 1, 3);
    expect(Array.from(out.data)).toEqual([10, 11, 13]);
  });

  it('matches exact integer arithmetic on a non-integer ratio (366×500 → 513×513), up to float rounding at exact multiples', () => {
    const h = 366;
    const w = 500;
    const src = new Uint8Array(h * w);
    // each source pixel's value encodes its row and column mod 16, so the sampled position can be read back
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) src[y * w + x] = ((y % 16) << 4) | (x % 16);
    const out = resizeLabelMapNearest({ data: src, height: h, width: w }, 513, 513);
    const check = (d: number, srcSize: number, got: number) => {
      const exact = Math.floor((d * srcSize) / 513);
      const allowed = (d * srcSize) % 513 === 0 && exact > 0 ? [exact % 16, (exact - 1) % 16] : [exact % 16];
      expect(allowed).toContain(got);
    };
    for (let d = 0; d < 513; d++) {
      check(d, h, out.data[d * 513] >> 4);
      check(d, w, out.data[d] & 15);
    }
  });

  it('returns the same map when the size already matches, and rejects bad sizes', () => {
    const m = labelMap([1, 2], 1, 2);
    expect(resizeLabelMapNearest(m, 1, 2)).toBe(m);
    expect(() => resizeLabelMapNearest(m, 0, 2)).toThrow(/positive integers/);
    expect(() => resizeLabelMapNearest({ data: new Uint8Array(3), height: 1, width: 2 }, 2, 2)).toThrow(/holds 3 values for 1×2/);
  });
});
