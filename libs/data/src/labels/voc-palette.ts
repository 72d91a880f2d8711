/** An RGB colour table indexed by label value. */
export type Palette = readonly (readonly [number, number, number])[];

/**
 * The 256-entry PASCAL VOC colour map: the bits of the label value are spread over the colour channels,
 * most significant colour bit first (bit 0 → red, bit 1 → green, bit 2 → blue, next three bits one level lower).
 */
function vocPalette(): Palette {
  const out: [number, number, number][] = [];
  for (let label = 0; label < 256; label++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let c = label;
    for (let shift = 7; shift >= 0 && c > 0; shift--) {
      r |= (c & 1) << shift;
      g |= ((c >> 1) & 1) << shift;
      b |= ((c >> 2) & 1) << shift;
      c >>= 3;
    }
    out.push([r, g, b]);
  }
  return out;
}

export const VOC_PALETTE: Palette = vocPalette();
