/** Cubic convolution kernel (Keys) with a = −0.75, the coefficient OpenCV and PyTorch use for bicubic resizing. */
export function cubicWeight(t: number, a = -0.75): number {
  const x = Math.abs(t);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

/**
 * Bicubic resize of a float HWC image with half-pixel centres (source coordinate (d + 0.5)·in/out − 0.5) and
 * border replication, done separably (rows, then columns). Used to turn the coarse background grid into smooth
 * blotches; values may overshoot the input range slightly, as with any cubic interpolation.
 */
export function resizeBicubic(
  src: Float64Array,
  inH: number,
  inW: number,
  channels: number,
  outH: number,
  outW: number,
): Float64Array {
  const horizontal = new Float64Array(inH * outW * channels);
  const xTaps = cubicTaps(inW, outW);
  for (let y = 0; y < inH; y++) {
    for (let x = 0; x < outW; x++) {
      for (let t = 0; t < 4; t++) {
        const sx = xTaps.index[x * 4 + t];
        const w = xTaps.weight[x * 4 + t];
        for (let c = 0; c < channels; c++) horizontal[(y * outW + x) * channels + c] += w * src[(y * inW + sx) * channels + c];
      }
    }
  }
  const out = new Float64Array(outH * outW * channels);
  const yTaps = cubicTaps(inH, outH);
  for (let y = 0; y < outH; y++) {
    for (let t = 0; t < 4; t++) {
      const sy = yTaps.index[y * 4 + t];
      const w = yTaps.weight[y * 4 + t];
      const rowIn = sy * outW * channels;
      const rowOut = y * outW * channels;
      for (let i = 0; i < outW * channels; i++) out[rowOut + i] += w * horizontal[rowIn + i];
    }
  }
  return out;
}

/** For each output position: the four clamped source indices and their kernel weights. */
function cubicTaps(inSize: number, outSize: number): { index: Int32Array; weight: Float64Array } {
  const index = new Int32Array(outSize * 4);
  const weight = new Float64Array(outSize * 4);
  const scale = inSize / outSize;
  for (let d = 0; d < outSize; d++) {
    const s = (d + 0.5) * scale - 0.5;
    const base = Math.floor(s);
    const frac = s - base;
    for (let t = 0; t < 4; t++) {
      index[d * 4 + t] = Math.min(inSize - 1, Math.max(0, base - 1 + t));
      weight[d * 4 + t] = cubicWeight(frac - (t - 1));
    }
  }
  return { index, weight };
}
