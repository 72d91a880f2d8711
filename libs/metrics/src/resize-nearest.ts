import { ZlsError, type LabelMap } from '@zls/core';

/**
 * Nearest-neighbour resize of a label map, sampling as OpenCV's INTER_NEAREST does (what the SPNet/STRICT
 * loaders use to warp labels to 513×513): source column = min(floor(x · (1 / (dstW / srcW))), srcW − 1),
 * computed in float64 the same way, so the picked pixels match the reference's warped label maps.
 * Top-left aligned, not centre-aligned (that would be INTER_NEAREST_EXACT).
 */
export function resizeLabelMapNearest(map: LabelMap, height: number, width: number): LabelMap {
  if (!(Number.isInteger(height) && Number.isInteger(width) && height > 0 && width > 0)) {
    throw new ZlsError(`resize: target size ${height}×${width} must be positive integers`);
  }
  if (map.data.length !== map.height * map.width) {
    throw new ZlsError(`resize: label map holds ${map.data.length} values for ${map.height}×${map.width}`);
  }
  if (map.height === height && map.width === width) return map;
  const cols = sourceIndices(map.width, width);
  const rows = sourceIndices(map.height, height);
  const out = new Uint8Array(height * width);
  const src = map.data;
  for (let y = 0; y < height; y++) {
    const rowStart = rows[y] * map.width;
    const o = y * width;
    for (let x = 0; x < width; x++) out[o + x] = src[rowStart + cols[x]];
  }
  return { data: out, height, width };
}

function sourceIndices(srcSize: number, dstSize: number): Int32Array {
  const inverseScale = 1 / (dstSize / srcSize);
  const idx = new Int32Array(dstSize);
  for (let d = 0; d < dstSize; d++) idx[d] = Math.min(Math.floor(d * inverseScale), srcSize - 1);
  return idx;
}
