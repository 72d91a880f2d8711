import { SeededRng } from '@zls/core';
import { accumulatePairs } from './accumulate-pairs';

/** Per-pixel reference: one increment per pixel, no runs, no word views. */
function naive(target: Uint8Array, prediction: Uint8Array, n: number): { cells: Float64Array; outside: number } {
  const cells = new Float64Array(n * (n + 1));
  let outside = 0;
  for (let i = 0; i < target.length; i++) {
    if (target[i] >= n) continue;
    const col = prediction[i] < n ? prediction[i] : n;
    if (col === n) outside++;
    cells[target[i] * (n + 1) + col]++;
  }
  return { cells, outside };
}

/** Runs of random length with random pairs, some 255s and some out-of-space predictions. */
function runs(rng: SeededRng, len: number, n: number, meanRun: number): [Uint8Array, Uint8Array] {
  const g = new Uint8Array(len);
  const p = new Uint8Array(len);
  for (let i = 0; i < len; ) {
    const r = rng.int(1, 2 * meanRun);
    const gv = rng.next() < 0.1 ? 255 : rng.int(0, n - 1);
    const pv = rng.next() < 0.05 ? 255 : rng.int(0, n - 1);
    for (let j = 0; j < r && i < len; j++, i++) {
      g[i] = gv;
      p[i] = rng.next() < 0.02 ? rng.int(0, n + 3) : pv;
    }
  }
  return [g, p];
}

describe('accumulatePairs', () => {
  it.each([1, 3, 16])('matches a per-pixel count for every alignment and length (mean run %i)', (meanRun) => {
    const rng = new SeededRng(meanRun);
    const n = 5;
    for (let len = 0; len <= 40; len++) {
      for (const [offG, offP] of [
        [0, 0],
        [1, 1],
        [3, 3],
        [0, 1],
        [2, 5],
      ]) {
        const [g, p] = runs(rng, len, n, meanRun);
        const gBuf = new Uint8Array(len + 8);
        const pBuf = new Uint8Array(len + 8);
        gBuf.set(g, offG);
        pBuf.set(p, offP);
        const cells = new Float64Array(n * (n + 1));
        const outside = accumulatePairs(gBuf.subarray(offG, offG + len), pBuf.subarray(offP, offP + len), n, cells);
        const ref = naive(g, p, n);
        expect(outside).toBe(ref.outside);
        expect(Array.from(cells)).toEqual(Array.from(ref.cells));
      }
    }
  });

  it('matches on a large map with long runs and on i.i.d. noise', () => {
    const rng = new SeededRng(9);
    for (const meanRun of [200, 1]) {
      const [g, p] = runs(rng, 100003, 21, meanRun);
      const cells = new Float64Array(21 * 22);
      const outside = accumulatePairs(g, p, 21, cells);
      const ref = naive(g, p, 21);
      expect(outside).toBe(ref.outside);
      expect(Array.from(cells)).toEqual(Array.from(ref.cells));
    }
  });

  it('matches when a map switches between noise and long runs (per-pixel fallback and back)', () => {
    const rng = new SeededRng(11);
    const parts = [runs(rng, 80000, 7, 1), runs(rng, 80000, 7, 60), runs(rng, 30001, 7, 1), runs(rng, 9000, 7, 300)];
    const total = parts.reduce((s, [g]) => s + g.length, 0);
    for (const off of [0, 1]) {
      const g = new Uint8Array(total + off);
      const p = new Uint8Array(total + off);
      let at = off;
      for (const [pg, pp] of parts) {
        g.set(pg, at);
        p.set(pp, at);
        at += pg.length;
      }
      const cells = new Float64Array(7 * 8);
      const outside = accumulatePairs(g.subarray(off), p.subarray(off), 7, cells);
      const ref = naive(g.subarray(off), p.subarray(off), 7);
      expect(outside).toBe(ref.outside);
      expect(Array.from(cells)).toEqual(Array.from(ref.cells));
    }
  });
});
