/**
 * The fixed parameters of the built-in synthetic zero-label benchmark (design doc `synthetic-benchmark.md` §1–§2).
 * Pixel lengths are given for a 64 px image and scaled by size / 64.
 */
export const SHAPES = ['circle', 'square', 'triangle', 'cross', 'star'] as const;
export const COLOURS = ['red', 'green', 'blue', 'yellow'] as const;

/** Base RGB of each colour, in [0, 1]. */
export const COLOUR_RGB: readonly (readonly [number, number, number])[] = [
  [0.85, 0.15, 0.15],
  [0.15, 0.7, 0.2],
  [0.15, 0.3, 0.9],
  [0.9, 0.8, 0.1],
];

export const NUM_OBJECT_CLASSES = SHAPES.length * COLOURS.length;
/** circle-red, square-green, triangle-blue, cross-yellow, star-green: new combinations of seen attribute values. */
export const UNSEEN_LABEL_IDS: readonly number[] = [0, 5, 10, 15, 17];
/** Label id of background when it is a class (`background: 'class'`); in the raw label map otherwise 255. */
export const BACKGROUND_LABEL_ID = 20;

export const RECIPE = {
  referenceSize: 64,
  bgGrid: 6,
  bgMin: 0.15,
  bgMax: 0.85,
  bgSaturation: 0.6,
  minObjects: 2,
  maxObjects: 5,
  radiusMin: 7,
  radiusMax: 15,
  maxLogStretch: 0.25,
  squareHalfSide: 0.82,
  triangleRadius: 1.25,
  crossHalfWidth: 0.33,
  starBase: 0.6,
  starAmplitude: 0.45,
  starLobes: 5,
  minMaskPixels: 4,
  colourJitter: 0.1,
  shade: 0.15,
  objectTexture: 0.08,
  brightness: 0.15,
  pixelNoise: 0.08,
  /** Attribute vector: one-hot shape (0–4) ⊕ one-hot colour (5–8) ⊕ background (9). */
  attributeDim: 10,
  embeddingDim: 300,
  embeddingSeedBase: 1234,
} as const;

/** Label id of shape s and colour c. */
export function labelIdOf(shape: number, colour: number): number {
  return shape * COLOURS.length + colour;
}

export function classNameOf(labelId: number): string {
  if (labelId === BACKGROUND_LABEL_ID) return 'background';
  return `${COLOURS[labelId % COLOURS.length]} ${SHAPES[Math.floor(labelId / COLOURS.length)]}`;
}
