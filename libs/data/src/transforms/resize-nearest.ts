import { IGNORE_INDEX, type LabelMap } from '@zls/core';
import type { SourceRegion, Window } from './resize-bilinear';

/**
 * Nearest-neighbour resize of a label map with half-pixel centres (output pixel d takes source pixel
 * floor((d + 0.5)·in/out)), so labels stay aligned with a bilinearly resized image. Never invents a value.
 */
export function resizeNearest(label: LabelMap, outH: number, outW: number): LabelMap {
  return resizeNearestWindow(label, outH, outW, { top: 0, left: 0, height: outH, width: outW }, IGNORE_INDEX);
}

/** The `window` of the label map resized to outH × outW; window pixels beyond outH × outW get `fill`. */
export function resizeNearestWindow(
  label: LabelMap,
  outH: number,
  outW: number,
  window: Window,
  fill: number,
  region?: SourceRegion,
): LabelMap {
  const { data: src } = label;
  const inH = region?.fullHeight ?? label.height;
  const inW = region?.fullWidth ?? label.width;
  const rowOffset = region?.top ?? 0;
  const colOffset = region?.left ?? 0;
  if (!(outH >= 1 && outW >= 1 && Number.isInteger(outH) && Number.isInteger(outW))) {
    throw new Error(`resizeNearest: output size ${outH}×${outW} must be positive integers`);
  }
  const { top, left, height, width } = window;
  const cols = Math.max(0, Math.min(width, outW - left));
  const rows = Math.max(0, Math.min(height, outH - top));
  const sourceCol = new Int32Array(cols);
  for (let x = 0; x < cols; x++) sourceCol[x] = nearestIndex(inW, outW, left + x) - colOffset;
  const out = new Uint8Array(height * width);
  if (rows < height || cols < width) out.fill(fill);
  let previous = -1;
  for (let y = 0; y < rows; y++) {
    const row = nearestIndex(inH, outH, top + y) - rowOffset;
    const o = y * width;
    // Upscaling repeats source rows: copy the output row already made from the same source row.
    if (row === previous) {
      out.copyWithin(o, o - width, o - width + cols);
      continue;
    }
    previous = row;
    const r = row * label.width;
    for (let x = 0; x < cols; x++) out[o + x] = src[r + sourceCol[x]];
  }
  return { data: out, height, width };
}

/** Source index of output position d: the source cell holding the output pixel centre. */
export function nearestIndex(inSize: number, outSize: number, d: number): number {
  return Math.min(inSize - 1, Math.floor(((d + 0.5) * inSize) / outSize));
}
