import { SeededRng } from '@zls/core';

export interface Scenario {
  name: string;
  numClasses: number;
  images: number;
  height: number;
  width: number;
  /** Background left as ignore (255) before objects are painted. */
  ignoreBackground: boolean;
  /** Worst case instead: every pixel of both maps drawn independently (no runs at all). */
  iidNoise?: boolean;
}

/**
 * Label maps shaped like real ones: piecewise-constant regions (painted ellipses and rectangles on a
 * background), and predictions that agree with them except for blob-shaped mistakes and a little per-pixel
 * noise, as a segmentation network's argmax looks. Deterministic per seed.
 */
export function makeLabelMaps(s: Scenario, seed: number): { gt: Uint8Array; pred: Uint8Array } {
  const rng = new SeededRng(seed);
  const px = s.height * s.width;
  const gt = new Uint8Array(s.images * px);
  const pred = new Uint8Array(s.images * px);
  if (s.iidNoise) {
    for (let i = 0; i < gt.length; i++) {
      gt[i] = rng.next() < 0.1 ? 255 : rng.int(0, s.numClasses - 1);
      pred[i] = rng.int(0, s.numClasses - 1);
    }
    return { gt, pred };
  }
  for (let k = 0; k < s.images; k++) {
    const g = gt.subarray(k * px, (k + 1) * px);
    const p = pred.subarray(k * px, (k + 1) * px);
    g.fill(s.ignoreBackground ? 255 : rng.int(0, s.numClasses - 1));
    paintBlobs(g, s, rng, rng.int(2, 6), () => rng.int(0, s.numClasses - 1), 0.25, 0.5);
    p.set(g);
    // where the ground truth is ignore, a network still predicts some class
    for (let i = 0; i < px; i++) if (p[i] === 255) p[i] = 0;
    paintBlobs(p, s, rng, rng.int(1, 4), () => rng.int(0, s.numClasses - 1), 0.08, 0.25);
    for (let i = 0; i < px; i++) if (rng.next() < 0.01) p[i] = rng.int(0, s.numClasses - 1);
  }
  return { gt, pred };
}

function paintBlobs(map: Uint8Array, s: Scenario, rng: SeededRng, count: number, label: () => number, minR: number, maxR: number): void {
  for (let b = 0; b < count; b++) {
    const c = label();
    const cy = rng.uniform(0, s.height);
    const cx = rng.uniform(0, s.width);
    const ry = rng.uniform(minR, maxR) * s.height;
    const rx = rng.uniform(minR, maxR) * s.width;
    const ellipse = rng.next() < 0.5;
    const y0 = Math.max(0, Math.floor(cy - ry));
    const y1 = Math.min(s.height, Math.ceil(cy + ry));
    const x0 = Math.max(0, Math.floor(cx - rx));
    const x1 = Math.min(s.width, Math.ceil(cx + rx));
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const dy = (y - cy) / ry;
        const dx = (x - cx) / rx;
        if (!ellipse || dx * dx + dy * dy <= 1) map[y * s.width + x] = c;
      }
    }
  }
}
