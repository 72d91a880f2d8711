/** tfjs convolution filter [kh, kw, in, out] → ONNX / PyTorch [out, in, kh, kw], as a fresh array. */
export function hwioToOihwData(src: Float32Array, [kh, kw, cin, cout]: readonly number[]): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let c = 0; c < cin; c++) for (let o = 0; o < cout; o++) out[((o * cin + c) * kh + i) * kw + j] = src[((i * kw + j) * cin + c) * cout + o];
  return out;
}

/** ONNX / PyTorch filter [out, in, kh, kw] → tfjs [kh, kw, in, out], as a fresh array. */
export function oihwToHwioData(src: Float32Array, [cout, cin, kh, kw]: readonly number[]): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let c = 0; c < cin; c++) for (let o = 0; o < cout; o++) out[((i * kw + j) * cin + c) * cout + o] = src[((o * cin + c) * kh + i) * kw + j];
  return out;
}
