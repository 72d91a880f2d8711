import { SeededRng } from '@zls/core';
import { NormalSampler } from './normal-sampler';
import { orthonormalColumns } from './orthonormal-columns';
import { BACKGROUND_LABEL_ID, COLOURS, NUM_OBJECT_CLASSES, RECIPE, SHAPES } from './synthetic-recipe';

/** Attribute vector of a label id: one-hot shape ⊕ one-hot colour; background is √2·e₉ (same norm as the others). */
export function attributeVector(labelId: number): Float64Array {
  const a = new Float64Array(RECIPE.attributeDim);
  if (labelId === BACKGROUND_LABEL_ID) {
    a[RECIPE.attributeDim - 1] = Math.SQRT2;
  } else {
    a[Math.floor(labelId / COLOURS.length)] = 1;
    a[SHAPES.length + (labelId % COLOURS.length)] = 1;
  }
  return a;
}

/**
 * Class embeddings of the synthetic benchmark (design doc §2), rows indexed by label id (0–19, then 20 for
 * background when `withBackground`): e = normalise(P a), P = Q of a 300 × 10 Gaussian matrix, then
 * e ← normalise(e + σ n), n ~ N(0, I/300), imitating imperfect word vectors. Seeded by 1234 + seed.
 * Background's noise is drawn after the object classes', so object rows do not depend on the background mode.
 */
export function syntheticEmbeddings(seed: number, sigma: number, withBackground: boolean): Float32Array {
  const dim = RECIPE.embeddingDim;
  const attrs = RECIPE.attributeDim;
  const normal = new NormalSampler(new SeededRng(RECIPE.embeddingSeedBase + seed));
  const gaussian = new Float64Array(dim * attrs);
  for (let i = 0; i < gaussian.length; i++) gaussian[i] = normal.next();
  const projection = orthonormalColumns(gaussian, dim, attrs);

  const labelIds = Array.from({ length: NUM_OBJECT_CLASSES + (withBackground ? 1 : 0) }, (_, i) => i);
  const out = new Float32Array(labelIds.length * dim);
  const noiseScale = sigma / Math.sqrt(dim);
  for (const id of labelIds) {
    const a = attributeVector(id);
    const e = new Float64Array(dim);
    for (let r = 0; r < dim; r++) {
      let s = 0;
      for (let c = 0; c < attrs; c++) s += projection[r * attrs + c] * a[c];
      e[r] = s;
    }
    normaliseInPlace(e);
    for (let r = 0; r < dim; r++) e[r] += noiseScale * normal.next();
    normaliseInPlace(e);
    out.set(e, id * dim);
  }
  return out;
}

function normaliseInPlace(v: Float64Array): void {
  let sq = 0;
  for (const x of v) sq += x * x;
  const norm = Math.sqrt(sq);
  for (let i = 0; i < v.length; i++) v[i] /= norm;
}
