import { IGNORE_INDEX } from '@zls/core';

/**
 * ZS5Net-style selection: for each class, keep only the `fraction` most confident of the pixels labelled
 * with it (at least one when any exist), the rest become IGNORE_INDEX. Computed over everything passed in,
 * so pass a whole dataset's labels for the per-class ranking ZS5Net uses. Ties keep the earlier pixel.
 */
export function keepTopFractionPerClass(labels: Uint8Array, confidence: Float32Array, fraction: number): Uint8Array {
  if (labels.length !== confidence.length) {
    throw new Error(`labels (${labels.length}) and confidences (${confidence.length}) differ in length`);
  }
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`fraction must be in (0, 1], got ${fraction}`);
  const byClass = new Map<number, number[]>();
  for (let p = 0; p < labels.length; p++) {
    const c = labels[p];
    if (c === IGNORE_INDEX) continue;
    let list = byClass.get(c);
    if (!list) byClass.set(c, (list = []));
    list.push(p);
  }
  const out = new Uint8Array(labels.length).fill(IGNORE_INDEX);
  for (const [c, pixels] of byClass) {
    pixels.sort((a, b) => confidence[b] - confidence[a] || a - b);
    const keep = Math.max(1, Math.round(pixels.length * fraction));
    for (let i = 0; i < keep; i++) out[pixels[i]] = c;
  }
  return out;
}
