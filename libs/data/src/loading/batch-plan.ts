import { SeededRng } from '@zls/core';

/**
 * The order of one epoch: a Fisher–Yates shuffle seeded by (seed, epoch), or 0..n−1 when not shuffling.
 * Depends on nothing else, so every loader configuration (any number of workers) sees the same order.
 */
export function epochOrder(n: number, seed: number, epoch: number, shuffle: boolean): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  if (!shuffle) return order;
  const rng = SeededRng.derive(seed, 0x0e90c4, epoch);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Splits an order into batches; the last one is shorter, or dropped when dropLast. */
export function splitBatches(order: readonly number[], batchSize: number, dropLast: boolean): number[][] {
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += batchSize) {
    const batch = order.slice(start, start + batchSize);
    if (batch.length < batchSize && dropLast) break;
    batches.push(batch);
  }
  return batches;
}

/** The augmentation stream of one sample in one epoch: independent of the batch and of the worker that runs it. */
export function sampleRng(seed: number, epoch: number, index: number): SeededRng {
  return SeededRng.derive(seed, 0x5a3b1e, epoch, index);
}
