/**
 * Float64 loop implementations straight from the definitions (NHWC, HWIO), the independent references the
 * layer specs compare tfjs and onnxruntime against. Test support only; deliberately slow.
 */
export interface Arr {
  data: Float64Array;
  shape: number[];
}

export function arr(data: ArrayLike<number>, shape: number[]): Arr {
  return { data: Float64Array.from(data), shape };
}

export function naiveConv(x: Arr, w: Arr, bias: ArrayLike<number> | null, stride: number, dilation: number, pad: number): Arr {
  const [n, h, wd, cin] = x.shape;
  const [kh, kw, , cout] = w.shape;
  const oh = Math.floor((h + 2 * pad - dilation * (kh - 1) - 1) / stride) + 1;
  const ow = Math.floor((wd + 2 * pad - dilation * (kw - 1) - 1) / stride) + 1;
  const y = new Float64Array(n * oh * ow * cout);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let o = 0; o < cout; o++) {
          let s = bias ? bias[o] : 0;
          for (let p = 0; p < kh; p++)
            for (let q = 0; q < kw; q++) {
              const ih = i * stride + p * dilation - pad;
              const iw = j * stride + q * dilation - pad;
              if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
              for (let c = 0; c < cin; c++) s += x.data[((b * h + ih) * wd + iw) * cin + c] * w.data[((p * kw + q) * cin + c) * cout + o];
            }
          y[((b * oh + i) * ow + j) * cout + o] = s;
        }
  return { data: y, shape: [n, oh, ow, cout] };
}

/** Half-pixel bilinear resize (PyTorch align_corners=False), source coordinates clamped at the border. */
export function naiveResize(x: Arr, oh: number, ow: number): Arr {
  const [n, h, w, c] = x.shape;
  const y = new Float64Array(n * oh * ow * c);
  const coord = (o: number, inSize: number, outSize: number) => {
    const s = Math.max(0, ((o + 0.5) * inSize) / outSize - 0.5);
    const lo = Math.min(Math.floor(s), inSize - 1);
    const hi = Math.min(lo + 1, inSize - 1);
    return { lo, hi, f: s - lo };
  };
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++) {
      const r = coord(i, h, oh);
      for (let j = 0; j < ow; j++) {
        const q = coord(j, w, ow);
        for (let k = 0; k < c; k++) {
          const at = (ii: number, jj: number) => x.data[((b * h + ii) * w + jj) * c + k];
          const top = at(r.lo, q.lo) * (1 - q.f) + at(r.lo, q.hi) * q.f;
          const bot = at(r.hi, q.lo) * (1 - q.f) + at(r.hi, q.hi) * q.f;
          y[((b * oh + i) * ow + j) * c + k] = top * (1 - r.f) + bot * r.f;
        }
      }
    }
  return { data: y, shape: [n, oh, ow, c] };
}

/** PyTorch MaxPool2d (padding never wins; ceil mode drops a window that starts in the trailing padding). */
export function naiveMaxPool(x: Arr, k: number, s: number, pad: number, ceil: boolean): Arr {
  const [n, h, w, c] = x.shape;
  const size = (len: number) => {
    let o = (ceil ? Math.ceil((len + 2 * pad - k) / s) : Math.floor((len + 2 * pad - k) / s)) + 1;
    if (ceil && (o - 1) * s >= len + pad) o--;
    return o;
  };
  const oh = size(h);
  const ow = size(w);
  const y = new Float64Array(n * oh * ow * c);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let ch = 0; ch < c; ch++) {
          let m = -Infinity;
          for (let p = 0; p < k; p++)
            for (let q = 0; q < k; q++) {
              const ih = i * s + p - pad;
              const iw = j * s + q - pad;
              if (ih >= 0 && ih < h && iw >= 0 && iw < w) m = Math.max(m, x.data[((b * h + ih) * w + iw) * c + ch]);
            }
          y[((b * oh + i) * ow + j) * c + ch] = m;
        }
  return { data: y, shape: [n, oh, ow, c] };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
