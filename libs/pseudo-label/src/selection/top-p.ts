import { IGNORE_INDEX } from '@zls/core';

/** One sample's proposal: a label per pixel (IGNORE_INDEX where none) and the confidence ranking it. */
export interface RankedLabels {
  labels: Uint8Array;
  confidence: Float32Array;
}

const BINS = 1 << 16;
const CLASSES = 256;

/** The floats' raw bits; keyOf turns them into unsigned keys that order like the floats (negatives flipped). */
const sortKeys = (confidence: Float32Array) => new Uint32Array(confidence.buffer, confidence.byteOffset, confidence.length);
const keyOf = (bits: number) => (bits & 0x80000000 ? ~bits : bits | 0x80000000) >>> 0;

/** In a histogram read from the top bin down: the bin holding the `rank`-th largest (1-based) and how many lie above it. */
function binOfRank(histogram: Uint32Array, rank: number): { bin: number; above: number } {
  let above = 0;
  for (let b = histogram.length - 1; b >= 0; b--) {
    if (above + histogram[b] >= rank) return { bin: b, above };
    above += histogram[b];
  }
  throw new Error(`rank ${rank} exceeds the histogram's ${above} entries`);
}

/**
 * ZS5Net-style selection over a set of samples: for each class, keep only the `fraction` most confident of the
 * pixels labelled with it across all samples (at least one when any exist); the rest become IGNORE_INDEX. Ties
 * keep the earlier pixel (sample order, then pixel order). The threshold is found exactly by a two-level radix
 * selection on the confidences' bits, so the extra memory is the output and two 2¹⁶-bin histograms per class,
 * not a copy or a sort of every pixel (a VOC training set is 2·10⁹ of them).
 */
export function keepTopFractionPerClassOf(samples: readonly RankedLabels[], fraction: number): Uint8Array[] {
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`fraction must be in (0, 1], got ${fraction}`);
  samples.forEach((s, i) => {
    if (s.labels.length !== s.confidence.length) {
      throw new Error(`sample ${i}: labels (${s.labels.length}) and confidences (${s.confidence.length}) differ in length`);
    }
  });
  // Pass 1: each class's pixel count and histogram of the keys' high 16 bits.
  const high: (Uint32Array | undefined)[] = new Array(CLASSES);
  const count = new Float64Array(CLASSES);
  for (const { labels, confidence } of samples) {
    const bits = sortKeys(confidence);
    for (let p = 0; p < labels.length; p++) {
      const c = labels[p];
      if (c === IGNORE_INDEX) continue;
      const h = high[c] ?? (high[c] = new Uint32Array(BINS));
      h[keyOf(bits[p]) >>> 16]++;
      count[c]++;
    }
  }
  const highBin = new Int32Array(CLASSES).fill(-1);
  const needInBin = new Float64Array(CLASSES);
  high.forEach((h, c) => {
    if (!h) return;
    const keep = Math.max(1, Math.round(count[c] * fraction));
    const { bin, above } = binOfRank(h, keep);
    highBin[c] = bin;
    needInBin[c] = keep - above;
  });
  // Pass 2: within each class's boundary bin, the histogram of the low 16 bits gives the exact threshold key.
  const low: (Uint32Array | undefined)[] = new Array(CLASSES);
  for (const { labels, confidence } of samples) {
    const bits = sortKeys(confidence);
    for (let p = 0; p < labels.length; p++) {
      const c = labels[p];
      if (c === IGNORE_INDEX) continue;
      const key = keyOf(bits[p]);
      if (key >>> 16 !== highBin[c]) continue;
      const h = low[c] ?? (low[c] = new Uint32Array(BINS));
      h[key & 0xffff]++;
    }
  }
  const threshold = new Uint32Array(CLASSES);
  const tiesLeft = new Float64Array(CLASSES);
  low.forEach((h, c) => {
    if (!h) return;
    const { bin, above } = binOfRank(h, needInBin[c]);
    threshold[c] = (highBin[c] * BINS + bin) >>> 0;
    tiesLeft[c] = needInBin[c] - above;
  });
  // Pass 3: keep what lies above the threshold, and the first ties at it.
  return samples.map(({ labels, confidence }) => {
    const bits = sortKeys(confidence);
    const out = new Uint8Array(labels.length).fill(IGNORE_INDEX);
    for (let p = 0; p < labels.length; p++) {
      const c = labels[p];
      if (c === IGNORE_INDEX) continue;
      const key = keyOf(bits[p]);
      if (key > threshold[c]) out[p] = c;
      else if (key === threshold[c] && tiesLeft[c] > 0) {
        out[p] = c;
        tiesLeft[c]--;
      }
    }
    return out;
  });
}

/** keepTopFractionPerClassOf over one array of pixels. */
export function keepTopFractionPerClass(labels: Uint8Array, confidence: Float32Array, fraction: number): Uint8Array {
  if (labels.length !== confidence.length) {
    throw new Error(`labels (${labels.length}) and confidences (${confidence.length}) differ in length`);
  }
  return keepTopFractionPerClassOf([{ labels, confidence }], fraction)[0];
}
