/** [a | b] row by row: rows × (dimA + dimB). */
export function concatRows(a: Float32Array, dimA: number, b: Float32Array, dimB: number, rows: number): Float32Array {
  const out = new Float32Array(rows * (dimA + dimB));
  for (let r = 0; r < rows; r++) {
    out.set(a.subarray(r * dimA, (r + 1) * dimA), r * (dimA + dimB));
    out.set(b.subarray(r * dimB, (r + 1) * dimB), r * (dimA + dimB) + dimA);
  }
  return out;
}

/** Each row divided by its L2 norm (accumulated in float64); a zero row stays zero. */
export function l2NormaliseRows(m: Float32Array, rows: number, dim: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) {
    let sq = 0;
    for (let d = 0; d < dim; d++) sq += m[r * dim + d] * m[r * dim + d];
    const norm = Math.sqrt(sq);
    if (norm === 0) continue;
    for (let d = 0; d < dim; d++) out[r * dim + d] = m[r * dim + d] / norm;
  }
  return out;
}
