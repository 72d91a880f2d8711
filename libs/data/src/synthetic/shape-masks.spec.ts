import { SHAPE_TESTS } from './shape-masks';

/** Area of a shape's mask by midpoint integration on a fine grid over [−1.5, 1.5]². */
function area(test: (u: number, v: number) => boolean): number {
  const n = 800;
  const step = 3 / n;
  let inside = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (test(-1.5 + (i + 0.5) * step, -1.5 + (j + 0.5) * step)) inside++;
  return inside * step * step;
}

describe('shape masks', () => {
  it('have the areas of their analytic shapes', () => {
    const R = 1.25;
    const expected = [
      Math.PI, // unit circle
      1.64 * 1.64, // square of half side 0.82
      ((3 * Math.sqrt(3)) / 4) * R * R, // equilateral triangle of circumradius R
      2 * (0.66 * 2) - 0.66 * 0.66, // two 0.66 × 2 bars, minus their overlap
      Math.PI * (0.6 * 0.6 + (0.45 * 0.45) / 2), // ½∮(0.6 + 0.45 cos 5φ)² dφ
    ];
    // Within 1 %: the grid's error along axis-aligned edges is about one cell width times the perimeter.
    SHAPE_TESTS.forEach((test, s) => expect(Math.abs(area(test) - expected[s]) / expected[s]).toBeLessThan(0.01));
  });

  it('orients the triangle with its flat side towards −v', () => {
    expect(SHAPE_TESTS[2](0, -0.6)).toBe(true);
    expect(SHAPE_TESTS[2](0, -0.65)).toBe(false);
    expect(SHAPE_TESTS[2](0, 1.2)).toBe(true);
  });
});
