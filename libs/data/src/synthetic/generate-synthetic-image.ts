import { IGNORE_INDEX, type Rng } from '@zls/core';
import { resizeBicubic } from './bicubic-resize';
import { NormalSampler } from './normal-sampler';
import { SHAPE_TESTS } from './shape-masks';
import { COLOUR_RGB, COLOURS, NUM_OBJECT_CLASSES, RECIPE } from './synthetic-recipe';

/** One generated image: uint8 HWC RGB and its raw label map (label id k on objects, 255 on background). */
export interface SyntheticImage {
  readonly size: number;
  readonly image: Uint8Array;
  readonly label: Uint8Array;
}

/**
 * Draws one image of the synthetic benchmark from `rng` (recipe: design doc §1). Everything the image depends on
 * comes from `rng`, so a per-index derived stream makes any image reproducible on its own.
 */
export function generateSyntheticImage(rng: Rng, size: number): SyntheticImage {
  const normal = new NormalSampler(rng);
  const canvas = blotchyBackground(rng, size);
  const label = new Uint8Array(size * size).fill(IGNORE_INDEX);
  const objects = RECIPE.minObjects + Math.floor(rng.next() * (RECIPE.maxObjects - RECIPE.minObjects + 1));
  const mask = new Int32Array(size * size);
  for (let o = 0; o < objects; o++) paintObject(rng, normal, size, canvas, label, mask);

  const brightness = 1 + uniform(rng, -RECIPE.brightness, RECIPE.brightness);
  const image = new Uint8Array(size * size * 3);
  for (let i = 0; i < image.length; i++) {
    const v = canvas[i] * brightness + RECIPE.pixelNoise * normal.next();
    // Clip to [0, 1], then round to nearest (the +0.5 and the uint8 store's truncation), without global Math calls.
    image[i] = (v <= 0 ? 0 : v >= 1 ? 1 : v) * 255 + 0.5;
  }
  return { size, image, label };
}

function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

/** A g×g grid of desaturated random colours, bicubically upsampled: smooth multicoloured blotches. */
function blotchyBackground(rng: Rng, size: number): Float64Array {
  const g = RECIPE.bgGrid;
  const grid = new Float64Array(g * g * 3);
  for (let cell = 0; cell < g * g; cell++) {
    const rgb = [0, 1, 2].map(() => uniform(rng, RECIPE.bgMin, RECIPE.bgMax));
    const grey = (rgb[0] + rgb[1] + rgb[2]) / 3;
    for (let c = 0; c < 3; c++) grid[cell * 3 + c] = grey + RECIPE.bgSaturation * (rgb[c] - grey);
  }
  return resizeBicubic(grid, g, g, 3, size, size);
}

/**
 * Draws one object's parameters and paints it over what is there (later objects occlude earlier ones).
 * `mask` is scratch space for the covered pixel indices.
 */
function paintObject(
  rng: Rng,
  normal: NormalSampler,
  size: number,
  canvas: Float64Array,
  label: Uint8Array,
  mask: Int32Array,
): void {
  const scale = size / RECIPE.referenceSize;
  const k = Math.floor(rng.next() * NUM_OBJECT_CLASSES);
  const inside = SHAPE_TESTS[Math.floor(k / COLOURS.length)];
  const base = COLOUR_RGB[k % COLOURS.length];
  const r = uniform(rng, RECIPE.radiusMin, RECIPE.radiusMax) * scale;
  const cx = uniform(rng, r / 2, size - r / 2);
  const cy = uniform(rng, r / 2, size - r / 2);
  const theta = uniform(rng, 0, 2 * Math.PI);
  const stretch = Math.exp(uniform(rng, -RECIPE.maxLogStretch, RECIPE.maxLogStretch));
  const colour = base.map((b) => Math.min(1, Math.max(0, b + RECIPE.colourJitter * normal.next())));
  const shadeAngle = uniform(rng, 0, 2 * Math.PI);
  const shadeX = Math.cos(shadeAngle);
  const shadeY = Math.sin(shadeAngle);

  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const ru = r * stretch;
  const rv = r / stretch;
  // No shape reaches beyond 1.25 local units (the triangle's circumradius), so this box holds the whole mask.
  const reach = Math.ceil(RECIPE.triangleRadius * Math.max(ru, rv)) + 1;
  const x0 = Math.max(0, Math.floor(cx - reach));
  const x1 = Math.min(size - 1, Math.ceil(cx + reach));
  const y0 = Math.max(0, Math.floor(cy - reach));
  const y1 = Math.min(size - 1, Math.ceil(cy + reach));
  let count = 0;
  for (let y = y0; y <= y1; y++) {
    const dy = y - cy;
    for (let x = x0; x <= x1; x++) {
      const dx = x - cx;
      if (inside((dx * cos + dy * sin) / ru, (-dx * sin + dy * cos) / rv)) mask[count++] = y * size + x;
    }
  }
  if (count < RECIPE.minMaskPixels) return;

  for (let m = 0; m < count; m++) {
    const p = mask[m];
    const dx = (p % size) - cx;
    const dy = (p - (p % size)) / size - cy;
    const shade = 1 + (RECIPE.shade * (dx * shadeX + dy * shadeY)) / r;
    const texture = 1 + RECIPE.objectTexture * normal.next();
    for (let c = 0; c < 3; c++) canvas[p * 3 + c] = colour[c] * shade * texture;
    label[p] = k;
  }
}
