import { SeededRng } from '@zls/core';
import { orthonormalColumns } from './orthonormal-columns';

describe('orthonormalColumns', () => {
  it('gives orthonormal columns spanning the input columns', () => {
    const rows = 50;
    const cols = 6;
    const rng = new SeededRng(9);
    const a = Float64Array.from({ length: rows * cols }, () => rng.normal());
    const q = orthonormalColumns(a, rows, cols);
    for (let i = 0; i < cols; i++) {
      for (let j = 0; j < cols; j++) {
        let dot = 0;
        for (let r = 0; r < rows; r++) dot += q[r * cols + i] * q[r * cols + j];
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
    // Each input column is reproduced by its projection onto span(Q).
    for (let j = 0; j < cols; j++) {
      const proj = new Float64Array(rows);
      for (let i = 0; i < cols; i++) {
        let dot = 0;
        for (let r = 0; r < rows; r++) dot += q[r * cols + i] * a[r * cols + j];
        for (let r = 0; r < rows; r++) proj[r] += dot * q[r * cols + i];
      }
      for (let r = 0; r < rows; r++) expect(proj[r]).toBeCloseTo(a[r * cols + j], 10);
    }
  });

  it('rejects dependent columns and impossible shapes', () => {
    expect(() => orthonormalColumns(Float64Array.from([1, 2, 2, 4]), 2, 2)).toThrow(/linearly dependent/);
    expect(() => orthonormalColumns(new Float64Array(6), 2, 3)).toThrow(/cannot hold/);
  });
});
