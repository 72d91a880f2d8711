import { OnnxGraphBuilder } from '../onnx/onnx-graph-builder';
import { appendEpilogue, ConvGeometry, Epilogue } from './onnx-conv-graphs';

/**
 * Convolutions as patch matrices (im2col) + one matrix product, in NHWC, built from Pad / Slice / Concat.
 * Filter taps that only ever read padding are dropped: with ASPP's dilations (6, 12) on a 12×12 map most
 * taps of a 3×3 filter fall outside the image, so this turns those convs into far smaller products.
 */

/** Taps (row-major index i·kw + j) that read at least one real input pixel. */
export function liveTaps(g: ConvGeometry): number[] {
  const live: number[] = [];
  const reaches = (k: number, dil: number, stride: number, pad: number, outSize: number, inSize: number) => {
    // Input rows read by tap k: k·dil − pad + o·stride for o in [0, outSize).
    const first = k * dil - pad;
    const last = first + (outSize - 1) * stride;
    if (last < 0 || first >= inSize) return false;
    // Some o lands in [0, inSize): the smallest o with first + o·stride ≥ 0 must also be < inSize.
    const o = first >= 0 ? 0 : Math.ceil(-first / stride);
    return o < outSize && first + o * stride < inSize;
  };
  for (let i = 0; i < g.filterHeight; i++) {
    if (!reaches(i, g.dilationHeight, g.strideHeight, g.padInfo.top, g.outHeight, g.inHeight)) continue;
    for (let j = 0; j < g.filterWidth; j++) {
      if (reaches(j, g.dilationWidth, g.strideWidth, g.padInfo.left, g.outWidth, g.inWidth)) live.push(i * g.filterWidth + j);
    }
  }
  return live;
}

/** Appends the patch matrix [N·OH·OW, T·C] of NHWC `input` for the given taps; returns its name. */
export function patches(b: OnnxGraphBuilder, input: string, g: ConvGeometry, taps: number[], channels: number): string {
  const p = g.padInfo;
  // Pad only as far as the live taps reach, on each side.
  const rowsOf = (t: number) => Math.floor(t / g.filterWidth) * g.dilationHeight;
  const colsOf = (t: number) => (t % g.filterWidth) * g.dilationWidth;
  const spanH = (g.outHeight - 1) * g.strideHeight + 1;
  const spanW = (g.outWidth - 1) * g.strideWidth + 1;
  const minRow = Math.min(...taps.map(rowsOf)) - p.top;
  const minCol = Math.min(...taps.map(colsOf)) - p.left;
  const maxRow = Math.max(...taps.map(rowsOf)) - p.top + spanH;
  const maxCol = Math.max(...taps.map(colsOf)) - p.left + spanW;
  const padTop = Math.max(0, -minRow);
  const padLeft = Math.max(0, -minCol);
  const padBottom = Math.max(0, maxRow - g.inHeight);
  const padRight = Math.max(0, maxCol - g.inWidth);
  let x = input;
  if (padTop + padLeft + padBottom + padRight > 0) {
    const pads = b.temp('pads');
    b.addInt64Initializer(pads, [0, padTop, padLeft, 0, 0, padBottom, padRight, 0]);
    x = b.op('Pad', [input, pads], { mode: 'constant' });
  }
  const cols: string[] = [];
  for (const t of taps) {
    const r0 = rowsOf(t) - p.top + padTop;
    const c0 = colsOf(t) - p.left + padLeft;
    const start = b.temp('start');
    b.addInt64Initializer(start, [r0, c0]);
    const end = b.temp('end');
    b.addInt64Initializer(end, [r0 + spanH, c0 + spanW]);
    const axes = b.temp('axes');
    b.addInt64Initializer(axes, [1, 2]);
    const steps = b.temp('steps');
    b.addInt64Initializer(steps, [g.strideHeight, g.strideWidth]);
    cols.push(b.op('Slice', [x, start, end, axes, steps]));
  }
  const joined = cols.length === 1 ? cols[0] : b.op('Concat', cols, { axis: 3 });
  const shape = b.temp('shape');
  b.addInt64Initializer(shape, [g.batchSize * g.outHeight * g.outWidth, taps.length * channels]);
  return b.op('Reshape', [joined, shape]);
}

/** Reshape helper that declares its own shape constant. */
export function reshape(b: OnnxGraphBuilder, x: string, dims: number[]): string {
  const shape = b.temp('shape');
  b.addInt64Initializer(shape, dims);
  return b.op('Reshape', [x, shape]);
}

/** Rows of the filter for the given taps: w [kh,kw,Cin,Cout] → [T·Cin, Cout], taps optionally reversed and in/out swapped. */
function filterRows(b: OnnxGraphBuilder, w: string, g: ConvGeometry, taps: number[], flipSwap: boolean): string {
  const k = g.filterHeight * g.filterWidth;
  const [cin, cout] = flipSwap ? [g.outChannels, g.inChannels] : [g.inChannels, g.outChannels];
  let src = w;
  if (flipSwap) src = b.op('Transpose', [w], { perm: [0, 1, 3, 2] });
  // With flipSwap, output tap t reads filter tap k−1−t.
  const indices = flipSwap ? taps.map((t) => k - 1 - t) : taps;
  const all = indices.length === k && indices.every((t, i) => t === i);
  if (all) return reshape(b, src, [k * cin, cout]);
  const idx = b.temp('taps');
  b.addInt64Initializer(idx, indices);
  const picked = b.op('Gather', [reshape(b, src, [k, cin, cout]), idx], { axis: 0 });
  return reshape(b, picked, [indices.length * cin, cout]);
}

/**
 * y = conv2d(x, w) in NHWC by patches · filter rows. With `flipSwap`, w is applied flipped spatially with
 * in/out channels swapped: the gradient of a stride-1 conv with respect to its input.
 */
export function buildIm2colConv(b: OnnxGraphBuilder, g: ConvGeometry, flipSwap = false, epilogue?: Epilogue) {
  const [cin, cout] = flipSwap ? [g.outChannels, g.inChannels] : [g.inChannels, g.outChannels];
  b.addInput('x', [g.batchSize, g.inHeight, g.inWidth, cin]);
  b.addInput('w', flipSwap ? [g.filterHeight, g.filterWidth, cout, cin] : [g.filterHeight, g.filterWidth, cin, cout]);
  const taps = liveTaps(g);
  const outDims = [g.batchSize, g.outHeight, g.outWidth, cout];
  let y: string;
  if (taps.length === 0) {
    b.addInitializer('zeros', new Float32Array(outDims.reduce((a, c) => a * c, 1)), outDims);
    y = b.op('Identity', ['zeros']);
  } else {
    const cols = patches(b, 'x', g, taps, cin);
    y = reshape(b, b.op('MatMul', [cols, filterRows(b, 'w', g, taps, flipSwap)]), outDims);
  }
  const inputs = ['x', 'w'];
  if (epilogue) {
    const tail = appendEpilogue(b, y, epilogue);
    y = tail.value;
    inputs.push(...tail.inputs);
  }
  b.addOutput(y, outDims);
  return { inputs, output: y };
}

/** dW [kh,kw,Cin,Cout] = patches(x)ᵀ · dy, zero for taps that never read the image. */
export function buildIm2colFilterGrad(b: OnnxGraphBuilder, g: ConvGeometry) {
  b.addInput('x', [g.batchSize, g.inHeight, g.inWidth, g.inChannels]);
  b.addInput('dy', [g.batchSize, g.outHeight, g.outWidth, g.outChannels]);
  const k = g.filterHeight * g.filterWidth;
  const outDims = [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels];
  const taps = liveTaps(g);
  const dy = reshape(b, 'dy', [g.batchSize * g.outHeight * g.outWidth, g.outChannels]);
  let dw: string;
  if (taps.length === 0) {
    b.addInitializer('zeros', new Float32Array(k * g.inChannels * g.outChannels), outDims);
    dw = b.op('Identity', ['zeros']);
  } else {
    const rows = b.op('Gemm', [patches(b, 'x', g, taps, g.inChannels), dy], { transA: 1 }); // [T·Cin, Cout]
    if (taps.length === k) {
      dw = reshape(b, rows, outDims);
    } else {
      b.addInitializer('zeros', new Float32Array(k * g.inChannels * g.outChannels), [k, g.inChannels, g.outChannels]);
      const idx = b.temp('taps');
      b.addInitializer(idx, BigInt64Array.from(taps.map((t) => BigInt(t))), [taps.length, 1], 'int64');
      const scattered = b.op('ScatterND', ['zeros', idx, reshape(b, rows, [taps.length, g.inChannels, g.outChannels])]);
      dw = reshape(b, scattered, outDims);
    }
  }
  b.addOutput(dw, outDims);
  return { inputs: ['x', 'dy'], output: dw };
}
