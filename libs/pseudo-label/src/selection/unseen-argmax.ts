import { IGNORE_INDEX } from '@zls/core';

/**
 * Per pixel, the unseen class with the highest score. Scores are pixel-major (pixel p, class c at
 * p·numClasses + c). Only pixels where `candidates` is set get a label; the rest stay IGNORE_INDEX.
 * The argmax of softmax over the unseen classes equals the argmax of their raw scores, so no softmax is needed.
 */
export function unseenArgmax(
  scores: Float32Array,
  numClasses: number,
  unseenIndices: readonly number[],
  candidates?: Uint8Array,
): Uint8Array {
  const pixels = scores.length / numClasses;
  if (!Number.isInteger(pixels)) throw new Error(`scores hold ${scores.length} values, not a multiple of ${numClasses} classes`);
  if (unseenIndices.length === 0) throw new Error('no unseen classes to label with');
  const labels = new Uint8Array(pixels).fill(IGNORE_INDEX);
  for (let p = 0; p < pixels; p++) {
    if (candidates && !candidates[p]) continue;
    const base = p * numClasses;
    let best = unseenIndices[0];
    let bestScore = scores[base + best];
    for (let k = 1; k < unseenIndices.length; k++) {
      const c = unseenIndices[k];
      if (scores[base + c] > bestScore) {
        bestScore = scores[base + c];
        best = c;
      }
    }
    labels[p] = best;
  }
  return labels;
}
