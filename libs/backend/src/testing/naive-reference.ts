/**
 * Float64 reference implementations (NHWC activations, HWIO filters), written as plain loops straight from
 * the definitions, to check the fast kernels and gradients against. Test-only; deliberately slow.
 */
export interface NaiveTensor {
  data: Float64Array;
  shape: number[];
}

export interface ConvSpec {
  stride: [number, number];
  dilation: [number, number];
  pad: 'same' | 'valid';
}

export interface ConvPads {
  outH: number;
  outW: number;
  top: number;
  left: number;
}

/** TensorFlow's 'same' / 'valid' output size and leading padding, computed from their definitions. */
export function naiveConvPads(h: number, w: number, kh: number, kw: number, spec: ConvSpec): ConvPads {
  const ekh = spec.dilation[0] * (kh - 1) + 1;
  const ekw = spec.dilation[1] * (kw - 1) + 1;
  if (spec.pad === 'valid') {
    return { outH: Math.ceil((h - ekh + 1) / spec.stride[0]), outW: Math.ceil((w - ekw + 1) / spec.stride[1]), top: 0, left: 0 };
  }
  const outH = Math.ceil(h / spec.stride[0]);
  const outW = Math.ceil(w / spec.stride[1]);
  const totalH = Math.max((outH - 1) * spec.stride[0] + ekh - h, 0);
  const totalW = Math.max((outW - 1) * spec.stride[1] + ekw - w, 0);
  return { outH, outW, top: Math.floor(totalH / 2), left: Math.floor(totalW / 2) };
}

/** Visits every (output position, filter tap, input position) triple of a convolution that lands inside x. */
function forEachTap(
  xShape: number[],
  wShape: number[],
  spec: ConvSpec,
  visit: (n: number, oh: number, ow: number, i: number, j: number, ih: number, iw: number) => void,
): ConvPads {
  const [n, h, w] = xShape;
  const [kh, kw] = wShape;
  const p = naiveConvPads(h, w, kh, kw, spec);
  for (let b = 0; b < n; b++)
    for (let oh = 0; oh < p.outH; oh++)
      for (let ow = 0; ow < p.outW; ow++)
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) {
            const ih = oh * spec.stride[0] + i * spec.dilation[0] - p.top;
            const iw = ow * spec.stride[1] + j * spec.dilation[1] - p.left;
            if (ih >= 0 && ih < h && iw >= 0 && iw < w) visit(b, oh, ow, i, j, ih, iw);
          }
  return p;
}

export function naiveConv2D(x: NaiveTensor, f: NaiveTensor, spec: ConvSpec): NaiveTensor {
  const [n, h, w, cin] = x.shape;
  const [kh, kw, , cout] = f.shape;
  const p = naiveConvPads(h, w, kh, kw, spec);
  const y = new Float64Array(n * p.outH * p.outW * cout);
  forEachTap(x.shape, f.shape, spec, (b, oh, ow, i, j, ih, iw) => {
    for (let ci = 0; ci < cin; ci++) {
      const xv = x.data[((b * h + ih) * w + iw) * cin + ci];
      for (let co = 0; co < cout; co++) y[((b * p.outH + oh) * p.outW + ow) * cout + co] += xv * f.data[((i * kw + j) * cin + ci) * cout + co];
    }
  });
  return { data: y, shape: [n, p.outH, p.outW, cout] };
}

/** dL/dx of the convolution for output gradient dy. */
export function naiveConv2DGradInput(xShape: number[], f: NaiveTensor, dy: NaiveTensor, spec: ConvSpec): NaiveTensor {
  const [n, h, w, cin] = xShape;
  const [kh, kw, , cout] = f.shape;
  const p = naiveConvPads(h, w, kh, kw, spec);
  const dx = new Float64Array(n * h * w * cin);
  forEachTap(xShape, f.shape, spec, (b, oh, ow, i, j, ih, iw) => {
    for (let ci = 0; ci < cin; ci++) {
      let s = 0;
      for (let co = 0; co < cout; co++) s += f.data[((i * kw + j) * cin + ci) * cout + co] * dy.data[((b * p.outH + oh) * p.outW + ow) * cout + co];
      dx[((b * h + ih) * w + iw) * cin + ci] += s;
    }
  });
  return { data: dx, shape: [...xShape] };
}

/** dL/dW of the convolution for output gradient dy. */
export function naiveConv2DGradFilter(x: NaiveTensor, fShape: number[], dy: NaiveTensor, spec: ConvSpec): NaiveTensor {
  const [, h, w, cin] = x.shape;
  const [, kw, , cout] = fShape;
  const p = naiveConvPads(h, w, fShape[0], kw, spec);
  const dw = new Float64Array(fShape.reduce((a, b) => a * b, 1));
  forEachTap(x.shape, fShape, spec, (b, oh, ow, i, j, ih, iw) => {
    for (let ci = 0; ci < cin; ci++) {
      const xv = x.data[((b * h + ih) * w + iw) * cin + ci];
      for (let co = 0; co < cout; co++) dw[((i * kw + j) * cin + ci) * cout + co] += xv * dy.data[((b * p.outH + oh) * p.outW + ow) * cout + co];
    }
  });
  return { data: dw, shape: [...fShape] };
}

/** Batched matrix product with numpy batch broadcasting; a: [..., m, k] (or [..., k, m] when transposed). */
export function naiveMatMul(a: NaiveTensor, b: NaiveTensor, transposeA: boolean, transposeB: boolean): NaiveTensor {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const [m, k] = transposeA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const padA = [...Array(rank - batchA.length).fill(1), ...batchA];
  const padB = [...Array(rank - batchB.length).fill(1), ...batchB];
  const batch = padA.map((d, i) => Math.max(d, padB[i]));
  const total = batch.reduce((x, y) => x * y, 1);
  const out = new Float64Array(total * m * n);
  const offsetOf = (index: number[], dims: number[], size: number) => {
    let o = 0;
    for (let i = 0; i < dims.length; i++) o = o * dims[i] + (dims[i] === 1 ? 0 : index[i]);
    return o * size;
  };
  for (let t = 0; t < total; t++) {
    const index: number[] = [];
    let rest = t;
    for (let i = rank - 1; i >= 0; i--) {
      index.unshift(rest % batch[i]);
      rest = Math.floor(rest / batch[i]);
    }
    const oa = offsetOf(index, padA, m * k);
    const ob = offsetOf(index, padB, k * n);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) {
          const av = a.data[oa + (transposeA ? q * m + i : i * k + q)];
          const bv = b.data[ob + (transposeB ? j * k + q : q * n + j)];
          s += av * bv;
        }
        out[(t * m + i) * n + j] = s;
      }
  }
  return { data: out, shape: [...batch, m, n] };
}

/**
 * Bilinear resize in float64: half-pixel centres ((o + 0.5)·in/out − 0.5) or, with `alignCorners`, corner
 * pixels on corner pixels (o·(in − 1)/(out − 1)); sources clamped to the edge.
 */
export function naiveResizeBilinear(x: NaiveTensor, outH: number, outW: number, alignCorners: boolean): NaiveTensor {
  const [n, h, w, c] = x.shape;
  const y = new Float64Array(n * outH * outW * c);
  const source = (o: number, inSize: number, outSize: number) => {
    const raw = alignCorners ? (outSize > 1 ? (o * (inSize - 1)) / (outSize - 1) : 0) : ((o + 0.5) * inSize) / outSize - 0.5;
    const s = Math.min(Math.max(raw, 0), inSize - 1);
    const lo = Math.floor(s);
    return { lo, hi: Math.min(lo + 1, inSize - 1), t: s - lo };
  };
  for (let b = 0; b < n; b++)
    for (let r = 0; r < outH; r++) {
      const sy = source(r, h, outH);
      for (let q = 0; q < outW; q++) {
        const sx = source(q, w, outW);
        for (let ch = 0; ch < c; ch++) {
          const at = (yy: number, xx: number) => x.data[((b * h + yy) * w + xx) * c + ch];
          const top = at(sy.lo, sx.lo) * (1 - sx.t) + at(sy.lo, sx.hi) * sx.t;
          const bottom = at(sy.hi, sx.lo) * (1 - sx.t) + at(sy.hi, sx.hi) * sx.t;
          y[((b * outH + r) * outW + q) * c + ch] = top * (1 - sy.t) + bottom * sy.t;
        }
      }
    }
  return { data: y, shape: [n, outH, outW, c] };
}

/** Gradient of a linear map by finite structure: for linear f, dL/dx = Jᵀ dy, found by probing f with unit inputs. */
export function naiveLinearAdjoint(f: (x: NaiveTensor) => NaiveTensor, xShape: number[], dy: NaiveTensor): NaiveTensor {
  const size = xShape.reduce((a, b) => a * b, 1);
  const dx = new Float64Array(size);
  const unit = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    unit[i] = 1;
    const col = f({ data: unit, shape: xShape }).data;
    let s = 0;
    for (let j = 0; j < col.length; j++) s += col[j] * dy.data[j];
    dx[i] = s;
    unit[i] = 0;
  }
  return { data: dx, shape: [...xShape] };
}

/** Depthwise convolution: filter [kh, kw, C, M], output channel c·M + m reads only input channel c. */
export function naiveDepthwiseConv2D(x: NaiveTensor, f: NaiveTensor, spec: ConvSpec): NaiveTensor {
  const [n, h, w, c] = x.shape;
  const [kh, kw, , m] = f.shape;
  const p = naiveConvPads(h, w, kh, kw, spec);
  const y = new Float64Array(n * p.outH * p.outW * c * m);
  forEachTap(x.shape, f.shape, spec, (b, oh, ow, i, j, ih, iw) => {
    for (let ch = 0; ch < c; ch++) {
      const xv = x.data[((b * h + ih) * w + iw) * c + ch];
      for (let q = 0; q < m; q++) y[((b * p.outH + oh) * p.outW + ow) * c * m + ch * m + q] += xv * f.data[((i * kw + j) * c + ch) * m + q];
    }
  });
  return { data: y, shape: [n, p.outH, p.outW, c * m] };
}
