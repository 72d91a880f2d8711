import type { ModelClasses } from '../model/build-segmentation-model';

/** Random L2-normalised class embeddings (rows), deterministic for a seed; test support. */
export function randomClasses(numClasses: number, embeddingDim: number, seed = 1): ModelClasses {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const embeddings = new Float32Array(numClasses * embeddingDim);
  for (let c = 0; c < numClasses; c++) {
    const row = Array.from({ length: embeddingDim }, next);
    const norm = Math.hypot(...row);
    row.forEach((v, j) => (embeddings[c * embeddingDim + j] = v / norm));
  }
  return { numClasses, embeddingDim, embeddings };
}
