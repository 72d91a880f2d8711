import { ZlsError } from '@zls/core';

export type NearestTransform = 'half_pixel' | 'asymmetric' | 'align_corners' | 'pytorch_half_pixel' | 'tf_half_pixel_for_nn';
export type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil';

/** ONNX Resize's source coordinate of output index o along one axis (sizes given, so scale = out / in). */
function sourceCoordinate(o: number, inSize: number, outSize: number, transform: NearestTransform): number {
  const scale = outSize / inSize;
  switch (transform) {
    case 'half_pixel':
      return (o + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel':
      return outSize > 1 ? (o + 0.5) / scale - 0.5 : 0;
    case 'tf_half_pixel_for_nn':
      return (o + 0.5) / scale;
    case 'align_corners':
      return outSize > 1 ? (o * (inSize - 1)) / (outSize - 1) : 0;
    case 'asymmetric':
      return o / scale;
  }
}

function roundNearest(x: number, mode: NearestMode): number {
  switch (mode) {
    case 'floor':
      return Math.floor(x);
    case 'ceil':
      return Math.ceil(x);
    case 'round_prefer_ceil':
      return Math.floor(x + 0.5);
    case 'round_prefer_floor':
      return x === Math.floor(x) + 0.5 ? Math.floor(x) : Math.round(x);
  }
}

/** Selection matrix M [outSize, inSize] of nearest Resize along one axis: out = M · in, one 1 per row. */
export function nearestResizeMatrix(inSize: number, outSize: number, transform: string, mode: string): Float32Array {
  const transforms: NearestTransform[] = ['half_pixel', 'asymmetric', 'align_corners', 'pytorch_half_pixel', 'tf_half_pixel_for_nn'];
  const modes: NearestMode[] = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];
  if (!transforms.includes(transform as NearestTransform)) throw new ZlsError(`training graph: nearest Resize with '${transform}' coordinates is not differentiated`);
  if (!modes.includes(mode as NearestMode)) throw new ZlsError(`training graph: nearest Resize with nearest_mode '${mode}' is not differentiated`);
  const m = new Float32Array(outSize * inSize);
  for (let o = 0; o < outSize; o++) {
    const src = roundNearest(sourceCoordinate(o, inSize, outSize, transform as NearestTransform), mode as NearestMode);
    m[o * inSize + Math.min(Math.max(src, 0), inSize - 1)] = 1;
  }
  return m;
}
