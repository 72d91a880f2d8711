import type { SeededRng } from '@zls/core';
import { STRIPE_CLASSES, STRIPES_BACKGROUND_LABEL_ID } from './stripes-class-space';

/** One drawn image: uint8 HWC RGB and its label ids (0 on background). */
export interface StripesImage {
  readonly image: Uint8Array;
  readonly labels: Uint8Array;
}

const COLOURS: readonly [number, number, number][] = [
  [220, 40, 40],
  [40, 200, 60],
  [50, 80, 230],
];
const PERIOD = 4;

/** Whether pixel (x, y) lies on a stripe of the given orientation (period 4, 2 px wide, phase per rectangle). */
function onStripe(orientation: number, x: number, y: number, phase: number): boolean {
  const t = orientation === 0 ? y : orientation === 1 ? x : x + y;
  return (t + phase) % PERIOD < PERIOD / 2;
}

/**
 * Draws 1–3 axis-aligned rectangles of random classes (later ones on top) over grey noise. Inside a rectangle,
 * stripe pixels take the class colour and the others a dark grey; every pixel gets Gaussian noise (σ = 20).
 * Everything comes from `rng`, so a per-index stream reproduces an image on its own.
 */
export function drawStripesImage(rng: SeededRng, size: number): StripesImage {
  const labels = new Uint8Array(size * size).fill(STRIPES_BACKGROUND_LABEL_ID);
  const rgb = new Float32Array(size * size * 3).fill(128);
  const count = rng.int(1, 3);
  for (let r = 0; r < count; r++) {
    const cls = STRIPE_CLASSES[rng.int(0, STRIPE_CLASSES.length - 1)];
    const w = rng.int(Math.ceil(size / 4), Math.ceil(size / 2));
    const h = rng.int(Math.ceil(size / 4), Math.ceil(size / 2));
    const x0 = rng.int(0, size - w);
    const y0 = rng.int(0, size - h);
    const phase = rng.int(0, PERIOD - 1);
    for (let y = y0; y < y0 + h; y++) {
      for (let x = x0; x < x0 + w; x++) {
        const p = y * size + x;
        labels[p] = cls.labelId;
        const colour = onStripe(cls.orientation, x, y, phase) ? COLOURS[cls.colour] : [60, 60, 60];
        for (let c = 0; c < 3; c++) rgb[p * 3 + c] = colour[c];
      }
    }
  }
  const image = new Uint8Array(rgb.length);
  for (let i = 0; i < rgb.length; i++) image[i] = Math.max(0, Math.min(255, Math.round(rgb[i] + 20 * rng.normal())));
  return { image, labels };
}
