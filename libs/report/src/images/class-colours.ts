/**
 * A colour per class index: hues spaced by the golden angle so that neighbouring indices differ strongly,
 * with alternating lightness. Index 255 (ignore) has no colour.
 */
export function classColour(index: number): [number, number, number] {
  const hue = (index * 137.508) % 360;
  const lightness = index % 2 === 0 ? 0.5 : 0.38;
  return hslToRgb(hue, 0.75, lightness);
}

export function hslToRgb(hue: number, saturation: number, lightness: number): [number, number, number] {
  const c = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const h = hue / 60;
  const x = c * (1 - Math.abs((h % 2) - 1));
  const [r, g, b] = h < 1 ? [c, x, 0] : h < 2 ? [x, c, 0] : h < 3 ? [0, c, x] : h < 4 ? [0, x, c] : h < 5 ? [x, 0, c] : [c, 0, x];
  const m = lightness - c / 2;
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

/** CSS form of a class's colour, for legends. */
export function classColourCss(index: number): string {
  const [r, g, b] = classColour(index);
  return `rgb(${r}, ${g}, ${b})`;
}
