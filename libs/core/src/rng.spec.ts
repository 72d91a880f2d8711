import { SeededRng } from './rng';

describe('SeededRng', () => {
  it('repeats its sequence for a seed and differs across seeds', () => {
    const a = new SeededRng(42);
    const b = new SeededRng(42);
    const c = new SeededRng(43);
    const sa = Array.from({ length: 8 }, () => a.next());
    expect(Array.from({ length: 8 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.next())).not.toEqual(sa);
  });

  it('is uniform on [0, 1) and its normals have mean 0 and variance 1', () => {
    const rng = new SeededRng(7);
    const n = 200_000;
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      sum += u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      s1 += z;
      s2 += z * z;
    }
    expect(Math.abs(s1 / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
  });

  it('draws integers in the closed range', () => {
    const rng = new SeededRng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(rng.int(2, 5));
    expect([...seen].sort()).toEqual([2, 3, 4, 5]);
  });

  it('derives independent streams', () => {
    expect(SeededRng.derive(1, 2).next()).not.toBe(SeededRng.derive(1, 3).next());
    expect(SeededRng.derive(1, 2).next()).toBe(SeededRng.derive(1, 2).next());
  });

  it('derives distinct streams for every (split seed, index) pair, including XOR-related ones', () => {
    // The synthetic benchmark's split seeds are 10·seed + 1/2/3: small numbers that differ in low bits.
    const keys = new Set<string>();
    for (const split of [1, 2, 3, 11, 12, 13, 21, 22, 23])
      for (let i = 0; i < 1000; i++) {
        const rng = SeededRng.derive(split, i);
        keys.add(`${rng.next()}:${rng.next()}`);
      }
    expect(keys.size).toBe(9000);
    // Order matters and nearby labels give unrelated streams.
    expect(SeededRng.derive(1, 2, 3).next()).not.toBe(SeededRng.derive(1, 3, 2).next());
    expect(SeededRng.derive(2, 1).next()).not.toBe(SeededRng.derive(1, 2).next());
    expect(SeededRng.derive(5, 0).next()).toBe(SeededRng.derive(5, 0).next());
  });
});
