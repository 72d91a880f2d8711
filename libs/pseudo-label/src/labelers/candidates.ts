import { IGNORE_INDEX, type LabelMap } from '@zls/core';

/**
 * Per-pixel labels from per-view argmax positions: the unseen class at the argmax position where the pixel
 * is a candidate (its training target is ignore), IGNORE_INDEX elsewhere.
 */
export function labelsFromPositions(positions: Int32Array, target: LabelMap, unseenIndices: readonly number[], offset: number): LabelMap {
  const n = target.data.length;
  const data = new Uint8Array(n);
  for (let p = 0; p < n; p++) data[p] = target.data[p] === IGNORE_INDEX ? unseenIndices[positions[offset + p]] : IGNORE_INDEX;
  return { data, height: target.height, width: target.width };
}
