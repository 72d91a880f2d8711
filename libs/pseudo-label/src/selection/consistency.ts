import { IGNORE_INDEX } from '@zls/core';

/**
 * STRICT's multi-view consistency: a pixel keeps its label only when every view gave it the same one;
 * any disagreement (or a view that left it unlabelled) makes it IGNORE_INDEX.
 */
export function intersectViews(viewLabels: readonly Uint8Array[]): Uint8Array {
  if (viewLabels.length === 0) throw new Error('consistency needs at least one view');
  const n = viewLabels[0].length;
  for (const v of viewLabels) {
    if (v.length !== n) throw new Error(`views disagree in size: ${v.length} vs ${n} pixels`);
  }
  const out = new Uint8Array(viewLabels[0]);
  for (let k = 1; k < viewLabels.length; k++) {
    const v = viewLabels[k];
    for (let p = 0; p < n; p++) if (out[p] !== v[p]) out[p] = IGNORE_INDEX;
  }
  return out;
}
