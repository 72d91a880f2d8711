import { SeededRng } from '@zls/core';
import { OnnxGraphBuilder, type OnnxAttrValue } from '../onnx/onnx-graph-builder';
import { naiveConv2DGradFilter, naiveConv2DGradInput, naiveConvPads, naiveResizeBilinear, naiveLinearAdjoint, type NaiveTensor } from '../testing/naive-reference';
import { checkGradients } from '../testing/gradient-check';

const rng = new SeededRng(11);
const random = (n: number, lo = -1, hi = 1) => Float32Array.from({ length: n }, () => rng.uniform(lo, hi));
const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

/** A forward graph: input 'x' (no gradient), parameters 'p0', 'p1', … as initializers, one op chain. */
function graph(xDims: number[], params: number[][], body: (g: OnnxGraphBuilder, x: string, p: string[]) => string, paramValues?: Float32Array[]) {
  const g = new OnnxGraphBuilder('case');
  g.addInput('x', xDims);
  const names = params.map((dims, i) => {
    g.addInitializer(`p${i}`, paramValues?.[i] ?? random(size(dims)), dims);
    return `p${i}`;
  });
  const y = body(g, 'x', names);
  g.addOutput(y, null);
  return { ir: g.ir(), y, names };
}

/** The same op with its data input made a parameter too, so dx is checked as well. */
function withInputAsParam(xDims: number[], params: number[][], body: (g: OnnxGraphBuilder, x: string, p: string[]) => string) {
  return graph([1], [xDims, ...params], (g, _x, [x, ...p]) => body(g, x, p));
}

async function expectGradientsMatch(c: { ir: ReturnType<OnnxGraphBuilder['ir']>; y: string; names: string[] }, tolerance = 2e-3, epsilon = 1e-2) {
  const result = await checkGradients(c.ir, c.y, c.names, { epsilon });
  expect(result.worst).toBeLessThan(tolerance);
  return result;
}

describe('training-graph gradients against central differences of the onnxruntime forward', () => {
  const convCases: [string, Record<string, OnnxAttrValue>, number[]][] = [
    ['3×3, stride 1, bias', { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, [2, 3, 7, 9]],
    ['3×3, stride 2 on odd sizes', { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, [2, 3, 9, 11]],
    ['3×3, stride 2 on even sizes (a dropped far row)', { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, [1, 2, 8, 10]],
    ['1×1', { kernel_shape: [1, 1] }, [2, 4, 5, 5]],
    ['dilation 2', { kernel_shape: [3, 3], dilations: [2, 2], pads: [2, 2, 2, 2] }, [1, 3, 9, 9]],
    ['dilation 6', { kernel_shape: [3, 3], dilations: [6, 6], pads: [6, 6, 6, 6] }, [1, 2, 13, 11]],
    ['dilation 12 (edge taps read padding only)', { kernel_shape: [3, 3], dilations: [12, 12], pads: [12, 12, 12, 12] }, [1, 2, 13, 9]],
    ['dilation 24 (only the centre tap lives)', { kernel_shape: [3, 3], dilations: [24, 24], pads: [24, 24, 24, 24] }, [1, 2, 11, 7]],
  ];
  it.each(convCases)('Conv %s', async (_label, attrs, xDims) => {
    const [kh, kw] = attrs['kernel_shape'] as number[];
    const cout = 4;
    await expectGradientsMatch(withInputAsParam(xDims, [[cout, xDims[1], kh, kw], [cout]], (g, x, [w, b]) => g.op('Conv', [x, w, b], attrs)));
  });

  it('Conv, depthwise (group = channels)', async () => {
    const attrs = { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: 3 };
    await expectGradientsMatch(withInputAsParam([2, 3, 6, 7], [[3, 1, 3, 3]], (g, x, [w]) => g.op('Conv', [x, w], attrs)));
  });

  it('BatchNormalization in training mode, then Relu', async () => {
    const c = 3;
    const values = [random(2 * c * 5 * 4), random(c, 0.5, 1.5), random(c), random(c), random(c, 0.5, 1.5)];
    const built = graph([1], [[2, c, 5, 4], [c], [c], [c], [c]], (g, _x, [x, scale, bias, mean, variance]) =>
      g.op('Relu', [g.op('BatchNormalization', [x, scale, bias, mean, variance], { epsilon: { float: 1e-5 } })]), values);
    // Scale trains, so the graph normalises with batch statistics; running stats are state, not checked here.
    const result = await checkGradients(built.ir, built.y, ['p0', 'p1', 'p2'], { epsilon: 3e-3 });
    expect(result.worst).toBeLessThan(5e-3);
  });

  it('BatchNormalization frozen (running statistics) with the input trained', async () => {
    const c = 3;
    const values = [random(2 * c * 4 * 4), random(c, 0.5, 1.5), random(c), random(c), random(c, 0.5, 1.5)];
    const built = graph([1], [[2, c, 4, 4], [c], [c], [c], [c]], (g, _x, [x, ...bn]) => g.op('BatchNormalization', [x, ...bn]), values);
    await expectGradientsMatch({ ...built, names: ['p0'] });
  });

  it('MaxPool 3×3 stride 2, padded, ceil mode', async () => {
    // Distinct values keep every window's winner the same under the ±ε perturbations.
    const xDims = [1, 2, 8, 8];
    const perm = Array.from({ length: size(xDims) }, (_, i) => i).sort(() => rng.uniform(-1, 1));
    const values = Float32Array.from(perm, (v) => v / 10);
    const built = graph([1], [xDims], (g, _x, [x]) => g.op('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }), [values]);
    await expectGradientsMatch(built, 2e-3, 1e-3);
  });

  it('Max of three operands (SPNet multi-scale max), and ties go to the first operand as in tfjs maximum', async () => {
    // Distinct values 0.01 apart keep every winner under the ±ε perturbations (ε = 0.001).
    const dims = [2, 3, 4, 5];
    const n = size(dims);
    // Its own stream, so the cases after it draw the values they always drew.
    const own = new SeededRng(23);
    const perm = Array.from({ length: 3 * n }, (_, i) => i).sort(() => own.uniform(-1, 1));
    const values = [0, 1, 2].map((k) => Float32Array.from(perm.slice(k * n, (k + 1) * n), (v) => (v - 1.5 * n) / 100));
    const built = graph([1], [dims, dims, dims], (g, _x, p) => g.op('Max', p), values);
    await expectGradientsMatch(built, 2e-3, 1e-3);
    // Ties: p0 = p1 everywhere, p2 = p1 on the first half, below elsewhere: all of dy goes to p0.
    const tie = Float32Array.from({ length: n }, (_, i) => i / 10);
    const lower = Float32Array.from(tie, (v, i) => (i < n / 2 ? v : v - 1));
    const tied = graph([1], [dims, dims, dims], (g, _x, p) => g.op('Max', p), [tie, Float32Array.from(tie), lower]);
    const { analytic, weights } = await checkGradients(tied.ir, tied.y, tied.names, { samples: 1 });
    expect(Array.from(analytic.get('p0') ?? [])).toEqual(Array.from(weights));
    expect((analytic.get('p1') ?? []).every((v) => v === 0)).toBe(true);
    expect((analytic.get('p2') ?? []).every((v) => v === 0)).toBe(true);
  });

  it('GlobalAveragePool, AveragePool 2×2 stride 2, ReduceMean', async () => {
    await expectGradientsMatch(withInputAsParam([2, 3, 5, 4], [], (g, x) => g.op('GlobalAveragePool', [x])));
    await expectGradientsMatch(withInputAsParam([2, 3, 6, 8], [], (g, x) => g.op('AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2] })));
    await expectGradientsMatch(withInputAsParam([2, 3, 5, 4], [], (g, x) => g.op('ReduceMean', [x], { axes: [1, 3], keepdims: 1 })));
  });

  it.each([
    ['half_pixel', 'up', [13, 17]],
    ['half_pixel', 'down', [3, 4]],
    ['align_corners', 'up', [17, 21]],
  ])('Resize linear %s, %s-sampling', async (transform, _dir, hw) => {
    const built = withInputAsParam([2, 3, 5, 6], [], (g, x) => {
      g.addInt64Initializer('sizes', [2, 3, ...(hw as number[])]);
      return g.op('Resize', [x, '', '', 'sizes'], { mode: 'linear', coordinate_transformation_mode: transform as string });
    });
    await expectGradientsMatch(built);
  });

  it('Concat, Add (broadcast), Sum, Sub, Mul, Transpose, Gather, LeakyRelu, Reshape', async () => {
    const built = graph([1], [[2, 3, 4, 5], [2, 2, 4, 5], [1, 5, 1, 1], [2, 5, 4, 5]], (g, _x, [a, b, bias, c]) => {
      const cat = g.op('Concat', [a, b], { axis: 1 });
      const shifted = g.op('Add', [cat, bias]);
      const mixed = g.op('Sum', [shifted, c, c]);
      const prod = g.op('Mul', [g.op('Sub', [mixed, c]), c]);
      g.addInt64Initializer('pick', [4, 0, 2]);
      const picked = g.op('Gather', [g.op('LeakyRelu', [prod], { alpha: { float: 0.2 } }), 'pick'], { axis: 1 });
      g.addInt64Initializer('flat', [2, -1]);
      return g.op('Reshape', [g.op('Transpose', [picked], { perm: [0, 2, 3, 1] }), 'flat']);
    });
    // A small step keeps LeakyRelu's kink out of the differences.
    await expectGradientsMatch(built, 2e-3, 1e-3);
  });

  it('Exp, Neg, and Div with the numerator and the denominator broadcast', async () => {
    await expectGradientsMatch(withInputAsParam([2, 3, 4], [], (g, x) => g.op('Neg', [g.op('Exp', [x])])));
    // Denominators kept away from 0, where the differences would blow up.
    await expectGradientsMatch(graph([1], [[2, 3, 4], [3, 1]], (g, _x, [a, b]) => g.op('Div', [a, b]), [random(24), random(3, 0.5, 1.5)]));
    await expectGradientsMatch(graph([1], [[4], [2, 3, 4]], (g, _x, [a, b]) => g.op('Div', [a, b]), [random(4), random(24, 0.5, 1.5)]));
  });

  it('ReduceSum over constant axes (kept, dropped, negative) and over every axis', async () => {
    const reduce = (axes: number[] | undefined, keepdims: number) =>
      withInputAsParam([2, 3, 4, 5], [], (g, x) => {
        if (!axes) return g.op('ReduceSum', [x], { keepdims });
        g.addInt64Initializer('axes', axes);
        return g.op('ReduceSum', [x, 'axes'], { keepdims });
      });
    await expectGradientsMatch(reduce([1, -1], 1));
    await expectGradientsMatch(reduce([0, 2], 0));
    await expectGradientsMatch(reduce(undefined, 0));
  });

  it('Dropout in training mode: a fed mask, so dx = dy·mask (0 or 1/(1 − ratio))', async () => {
    const built = graph([1], [[6, 5], [5, 8]], (g, _x, [a, b]) => {
      g.addInitializer('ratio', Float32Array.of(0.5), []);
      return g.op('Dropout', [g.op('MatMul', [a, b]), 'ratio']);
    });
    await expectGradientsMatch(built);
    // With the input itself trained the gradient is r·mask: every entry 0 or 2r, and both occur.
    const direct = withInputAsParam([4, 6], [], (g, x) => {
      g.addInitializer('ratio', Float32Array.of(0.5), []);
      return g.op('Dropout', [x, 'ratio']);
    });
    const result = await expectGradientsMatch(direct);
    const grad = result.analytic.get('p0') as Float32Array;
    let dropped = 0;
    grad.forEach((v, i) => {
      if (v === 0) dropped++;
      else expect(v).toBeCloseTo(2 * result.weights[i], 6);
    });
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(grad.length);
  });

  it('MatMul (batched, broadcast) and Gemm with each transpose flag', async () => {
    await expectGradientsMatch(graph([1], [[2, 3, 4, 5], [5, 6]], (g, _x, [a, b]) => g.op('MatMul', [a, b])));
    for (const [transA, transB] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
      const aDims = transA ? [4, 3] : [3, 4];
      const bDims = transB ? [5, 4] : [4, 5];
      await expectGradientsMatch(graph([1], [aDims, bDims, [5]], (g, _x, [a, b, c]) => g.op('Gemm', [a, b, c], { transA, transB, alpha: { float: 0.5 }, beta: { float: 2 } })));
    }
  });
});

describe('Conv gradients against the float64 naive reference', () => {
  // TF 'same' padding (asymmetric on even sizes at stride 2) written as explicit ONNX pads.
  it.each([
    [[1, 1], [1, 1], 9, 7, 4, 3],
    [[2, 2], [1, 1], 9, 11, 4, 3],
    [[2, 2], [1, 1], 8, 10, 4, 3],
    [[1, 1], [6, 6], 13, 13, 4, 3],
    // Unequal strides: the per-tap filter gradient (strided Slices), not the row-wise one.
    [[1, 2], [1, 1], 9, 11, 4, 3],
    // 128 inputs at dilation 12 on 13 rows: the row-wise products skip the rows that read padding (ASPP's case).
    [[1, 1], [12, 12], 13, 13, 8, 128],
  ])('strides %j, dilations %j on %i×%i, %i outputs, %i inputs', async (stride, dilation, h, w, cout, cin) => {
    const [n, k] = [2, 3];
    const spec = { stride: stride as [number, number], dilation: dilation as [number, number], pad: 'same' as const };
    const p = naiveConvPads(h, w, k, k, spec);
    const bottom = Math.max((p.outH - 1) * stride[0] + dilation[0] * (k - 1) + 1 - h, 0) - p.top;
    const right = Math.max((p.outW - 1) * stride[1] + dilation[1] * (k - 1) + 1 - w, 0) - p.left;
    const xNchw = random(n * cin * h * w);
    const wOihw = random(cout * cin * k * k);
    const built = graph([1], [[n, cin, h, w], [cout, cin, k, k]], (g, _x, [x, wt]) =>
      g.op('Conv', [x, wt], { kernel_shape: [k, k], strides: stride, dilations: dilation, pads: [p.top, p.left, bottom, right] }), [xNchw, wOihw]);
    // The loss weights r are dL/dy, so the naive gradients for dy = r must equal the graph's.
    const result = await checkGradients(built.ir, built.y, ['p0', 'p1'], { samples: 1 });
    const toNhwc = (d: Float32Array, dims: number[]): NaiveTensor => {
      const [a, c, hh, ww] = dims;
      const out = new Float64Array(d.length);
      for (let i = 0; i < a; i++) for (let j = 0; j < c; j++) for (let y = 0; y < hh; y++) for (let x = 0; x < ww; x++) out[((i * hh + y) * ww + x) * c + j] = d[((i * c + j) * hh + y) * ww + x];
      return { data: out, shape: [a, hh, ww, c] };
    };
    const toHwio = (d: Float32Array): NaiveTensor => {
      const out = new Float64Array(d.length);
      for (let o = 0; o < cout; o++) for (let c = 0; c < cin; c++) for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) out[((i * k + j) * cin + c) * cout + o] = d[((o * cin + c) * k + i) * k + j];
      return { data: out, shape: [k, k, cin, cout] };
    };
    const dy = toNhwc(result.weights, [n, cout, p.outH, p.outW]);
    const dx = naiveConv2DGradInput([n, h, w, cin], toHwio(wOihw), dy, spec);
    const dw = naiveConv2DGradFilter(toNhwc(xNchw, [n, cin, h, w]), [k, k, cin, cout], dy, spec);
    const close = (actual: NaiveTensor, expected: NaiveTensor) => {
      let worst = 0;
      let scale = 1;
      expected.data.forEach((v, i) => {
        scale = Math.max(scale, Math.abs(v));
        worst = Math.max(worst, Math.abs(v - actual.data[i]));
      });
      return worst / scale;
    };
    expect(close(toNhwc(result.analytic.get('p0') as Float32Array, [n, cin, h, w]), dx)).toBeLessThan(1e-5);
    expect(close(toHwio(result.analytic.get('p1') as Float32Array), dw)).toBeLessThan(1e-5);
  });

  it('Resize align_corners adjoint equals the float64 reference adjoint', async () => {
    const built = withInputAsParam([1, 2, 5, 5], [], (g, x) => {
      g.addInt64Initializer('sizes', [1, 2, 17, 17]);
      return g.op('Resize', [x, '', '', 'sizes'], { mode: 'linear', coordinate_transformation_mode: 'align_corners' });
    });
    const result = await checkGradients(built.ir, built.y, built.names, { samples: 1 });
    const toNhwc = (d: ArrayLike<number>, [a, c, hh, ww]: number[]): NaiveTensor => {
      const out = new Float64Array(d.length);
      for (let i = 0; i < a; i++) for (let j = 0; j < c; j++) for (let y = 0; y < hh; y++) for (let x = 0; x < ww; x++) out[((i * hh + y) * ww + x) * c + j] = d[((i * c + j) * hh + y) * ww + x];
      return { data: out, shape: [a, hh, ww, c] };
    };
    const expected = naiveLinearAdjoint((x) => naiveResizeBilinear(x, 17, 17, true), [1, 5, 5, 2], toNhwc(result.weights, [1, 2, 17, 17]));
    const actual = toNhwc(result.analytic.get('p0') as Float32Array, [1, 2, 5, 5]);
    let worst = 0;
    expected.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - actual.data[i]))));
    expect(worst).toBeLessThan(1e-5);
  });
});
