import type { Rng } from './interfaces/sample';

/**
 * Seeded PRNG (mulberry32): small, fast and identical on every platform, so the same seed gives the same
 * data order and augmentation everywhere.
 */
export class SeededRng implements Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /**
   * An independent stream derived from this seed and labels (e.g. a split seed and an image index). Every
   * input goes through a full avalanche mix: a linear combination (as an earlier version used) made image i
   * of one split equal image i ^ (seedA ^ seedB) of another, so test images were copies of training images.
   */
  static derive(seed: number, ...parts: number[]): SeededRng {
    let h = mix32(seed >>> 0);
    // The running hash and the new label are transformed differently, so derive(a, b) ≠ derive(b, a).
    for (const p of parts) h = mix32((Math.imul(h, 31) + mix32((p + 0x9e3779b9) >>> 0)) >>> 0);
    return new SeededRng(h);
  }
}

/** A 32-bit finaliser with full avalanche (each input bit flips each output bit with probability ≈ ½). */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}
