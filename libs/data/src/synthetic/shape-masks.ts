import { RECIPE } from './synthetic-recipe';

/** Whether local coordinates (u, v) of an object (unit = its radius) fall inside shape `shape` (index into SHAPES). */
export type ShapeTest = (u: number, v: number) => boolean;

const SQRT3 = Math.sqrt(3);
// Module-level aliases: a global lookup per call is ~50× slower inside jest's vm contexts.
const { abs, sqrt, max, cos, atan2 } = Math;

const circle: ShapeTest = (u, v) => u * u + v * v <= 1;

const square: ShapeTest = (u, v) => max(abs(u), abs(v)) <= RECIPE.squareHalfSide;

/** Equilateral triangle with circumradius R, pointing towards −v. */
const triangle: ShapeTest = (u, v) => {
  const r = RECIPE.triangleRadius;
  return v >= -r / 2 && SQRT3 * u + v <= r && -SQRT3 * u + v <= r;
};

const cross: ShapeTest = (u, v) => {
  const w = RECIPE.crossHalfWidth;
  const au = abs(u);
  const av = abs(v);
  return (au <= w && av <= 1) || (av <= w && au <= 1);
};

/** Five-lobed flower: radius ρ ≤ base + amplitude·cos(5φ). */
const star: ShapeTest = (u, v) => {
  const rho = sqrt(u * u + v * v);
  if (rho > RECIPE.starBase + RECIPE.starAmplitude) return false;
  return rho <= RECIPE.starBase + RECIPE.starAmplitude * cos(RECIPE.starLobes * atan2(v, u));
};

/** Indexed like SHAPES: circle, square, triangle, cross, star. */
export const SHAPE_TESTS: readonly ShapeTest[] = [circle, square, triangle, cross, star];
