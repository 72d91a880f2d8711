import type * as tf from '@tensorflow/tfjs';

/** HWIO (tfjs) filter → OIHW (ONNX, PyTorch) as a fresh Float32Array. */
export function hwioToOihw(weight: tf.Tensor): Float32Array {
  const [kh, kw, cin, cout] = weight.shape;
  const src = weight.dataSync() as Float32Array;
  const out = new Float32Array(src.length);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let c = 0; c < cin; c++)
        for (let o = 0; o < cout; o++) out[((o * cin + c) * kh + i) * kw + j] = src[((i * kw + j) * cin + c) * cout + o];
  return out;
}

/** OIHW → HWIO, for weights that come from PyTorch / torchvision files. */
export function oihwToHwio(src: Float32Array, shape: readonly number[]): Float32Array {
  const [cout, cin, kh, kw] = shape;
  const out = new Float32Array(src.length);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let c = 0; c < cin; c++)
        for (let o = 0; o < cout; o++) out[((i * kw + j) * cin + c) * cout + o] = src[((o * cin + c) * kh + i) * kw + j];
  return out;
}
