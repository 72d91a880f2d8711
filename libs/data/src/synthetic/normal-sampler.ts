import type { Rng } from '@zls/core';

// Module-level aliases: a global lookup per call is ~50× slower inside jest's vm contexts.
const { sqrt, log, cos, sin, PI } = Math;

/**
 * Standard normal draws from a uniform Rng by Box–Muller, using both values of each pair (the generator draws
 * tens of thousands of normals per image, so wasting half would double its cost).
 */
export class NormalSampler {
  private spare = 0;
  private hasSpare = false;

  constructor(private readonly rng: Rng) {}

  next(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u = 0;
    while (u === 0) u = this.rng.next();
    const radius = sqrt(-2 * log(u));
    const angle = 2 * PI * this.rng.next();
    this.spare = radius * sin(angle);
    this.hasSpare = true;
    return radius * cos(angle);
  }
}
