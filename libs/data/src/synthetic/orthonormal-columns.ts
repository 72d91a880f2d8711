/**
 * Q of a thin QR decomposition of a row-major rows × cols matrix (rows ≥ cols): orthonormal columns spanning the
 * same space, by modified Gram–Schmidt run twice (the second pass removes the rounding error of the first).
 * Column signs may differ from a Householder QR; for a random projection that does not matter.
 */
export function orthonormalColumns(matrix: Float64Array, rows: number, cols: number): Float64Array {
  if (matrix.length !== rows * cols) throw new Error(`orthonormalColumns: ${matrix.length} values, expected ${rows} × ${cols}`);
  if (rows < cols) throw new Error(`orthonormalColumns: ${rows} rows cannot hold ${cols} orthonormal columns`);
  const q = Float64Array.from(matrix);
  for (let j = 0; j < cols; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        let dot = 0;
        for (let r = 0; r < rows; r++) dot += q[r * cols + i] * q[r * cols + j];
        for (let r = 0; r < rows; r++) q[r * cols + j] -= dot * q[r * cols + i];
      }
    }
    let norm = 0;
    for (let r = 0; r < rows; r++) norm += q[r * cols + j] ** 2;
    norm = Math.sqrt(norm);
    if (norm < 1e-12) throw new Error(`orthonormalColumns: column ${j} is linearly dependent on the previous ones`);
    for (let r = 0; r < rows; r++) q[r * cols + j] /= norm;
  }
  return q;
}
