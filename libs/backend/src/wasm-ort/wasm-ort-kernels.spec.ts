import * as tf from '@tensorflow/tfjs';
import { SeededRng } from '@zls/core';
import { ConvSpec, naiveConv2D, naiveConv2DGradFilter, naiveConv2DGradInput, naiveDepthwiseConv2D, naiveLinearAdjoint, naiveMatMul, NaiveTensor } from '../testing/naive-reference';
import { randomNaive, relativeMaxError, toTf } from '../testing/naive-helpers';
import { registerWasmOrtBackend, WASM_ORT_BACKEND } from './register-wasm-ort-backend';
import { wasmOrtSessions } from './wasm-ort-kernels';

const rng = new SeededRng(7);
const TOL = 2e-5;

interface ConvCase {
  label: string;
  x: number[];
  f: number[];
  spec: ConvSpec;
}

const s = (stride: number, pad: 'same' | 'valid', dilation = 1): ConvSpec => ({ stride: [stride, stride], dilation: [dilation, dilation], pad });
const CASES: ConvCase[] = [
  { label: '3×3 same', x: [2, 7, 6, 3], f: [3, 3, 3, 4], spec: s(1, 'same') },
  { label: '3×3 valid', x: [1, 7, 9, 2], f: [3, 3, 2, 5], spec: s(1, 'valid') },
  { label: '3×3 stride 2 same, odd size', x: [2, 9, 7, 3], f: [3, 3, 3, 4], spec: s(2, 'same') },
  { label: '3×3 stride 2 valid, odd size', x: [1, 9, 11, 2], f: [3, 3, 2, 3], spec: s(2, 'valid') },
  { label: '1×1', x: [2, 5, 5, 6], f: [1, 1, 6, 3], spec: s(1, 'same') },
  { label: '1×1 stride 2', x: [1, 7, 7, 4], f: [1, 1, 4, 3], spec: s(2, 'valid') },
  { label: '5×3 stride 3 same', x: [1, 10, 8, 2], f: [5, 3, 2, 3], spec: s(3, 'same') },
  { label: '3×3 dilation 2 same', x: [1, 9, 8, 3], f: [3, 3, 3, 2], spec: s(1, 'same', 2) },
  { label: '3×3 dilation 6 same', x: [1, 13, 13, 2], f: [3, 3, 2, 3], spec: s(1, 'same', 6) },
  { label: '3×3 dilation 12 same', x: [1, 14, 13, 2], f: [3, 3, 2, 2], spec: s(1, 'same', 12) },
  { label: '3×3 dilation 2 valid', x: [1, 9, 10, 2], f: [3, 3, 2, 2], spec: s(1, 'valid', 2) },
];

function conv(x: tf.Tensor, f: tf.Tensor, spec: ConvSpec): tf.Tensor4D {
  return tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, spec.stride, spec.pad, 'NHWC', spec.dilation);
}

function expectClose(actual: tf.Tensor, expected: NaiveTensor, tol = TOL): void {
  expect(actual.shape).toEqual(expected.shape);
  expect(relativeMaxError(actual.dataSync(), expected)).toBeLessThan(tol);
}

beforeAll(async () => {
  registerWasmOrtBackend();
  expect(await tf.setBackend(WASM_ORT_BACKEND)).toBe(true);
});

describe('wasm-ort convolution kernels against float64 loops', () => {
  it.each(CASES)('Conv2D $label', ({ x, f, spec }) => {
    const xv = randomNaive(rng, x);
    const fv = randomNaive(rng, f);
    tf.tidy(() => expectClose(conv(toTf(xv), toTf(fv), spec), naiveConv2D(xv, fv, spec)));
  });

  // `dilations` is an extra attribute only wasm-ort's backprop kernels read (zls' Conv2D gradient passes it).
  it.each(CASES)('Conv2DBackpropInput and Conv2DBackpropFilter $label', ({ x, f, spec }) => {
    const xv = randomNaive(rng, x);
    const fv = randomNaive(rng, f);
    const outShape = naiveConv2D(xv, fv, spec).shape;
    const dyv = randomNaive(rng, outShape);
    tf.tidy(() => {
      const dy = toTf(dyv) as tf.Tensor4D;
      const attrs = { strides: spec.stride, pad: spec.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, dilations: spec.dilation };
      const dx = tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: toTf(fv) }, { ...attrs, inputShape: x } as unknown as tf.NamedAttrMap) as tf.Tensor;
      const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: toTf(xv), dy }, { ...attrs, filterShape: f } as unknown as tf.NamedAttrMap) as tf.Tensor;
      expectClose(dx, naiveConv2DGradInput(x, fv, dyv, spec));
      expectClose(dw, naiveConv2DGradFilter(xv, f, dyv, spec), 1e-4);
    });
  });

  // 3×3 runs through onnxruntime's Conv (bias folded in), 1×1 through patches + MatMul (bias added after).
  it.each([
    ['3×3 stride 2', [2, 6, 5, 3], [3, 3, 3, 4], 2],
    ['1×1', [2, 5, 4, 3], [1, 1, 3, 4], 1],
  ] as [string, number[], number[], number][])('FusedConv2D %s with per-channel bias and relu matches conv + bias + relu', (_label, x, f, stride) => {
    const xv = randomNaive(rng, x);
    const fv = randomNaive(rng, f);
    const bias = [0.5, -0.25, 0.1, -2];
    const ref = naiveConv2D(xv, fv, s(stride, 'same'));
    const expected = { data: ref.data.map((v, i) => Math.max(0, v + bias[i % 4])), shape: ref.shape };
    tf.tidy(() => {
      const y = tf.fused.conv2d({ x: toTf(xv) as tf.Tensor4D, filter: toTf(fv) as tf.Tensor4D, strides: stride, pad: 'same', bias: tf.tensor1d(bias), activation: 'relu' });
      expectClose(y, expected);
    });
  });

  it('reuses one cached session per geometry', () => {
    const before = wasmOrtSessions.size;
    tf.tidy(() => {
      const x = tf.ones([1, 4, 4, 2]) as tf.Tensor4D;
      const f = tf.ones([3, 3, 2, 1]) as tf.Tensor4D;
      for (let i = 0; i < 3; i++) tf.conv2d(x, f, 1, 'same');
    });
    expect(wasmOrtSessions.size).toBe(before + 1);
  });
});

describe('wasm-ort depthwise convolution gradients (absent on wasm) against float64', () => {
  it.each([
    ['3×3 same, multiplier 2', [2, 6, 5, 3], [3, 3, 3, 2], s(1, 'same')],
    ['3×3 stride 2 same, odd size', [1, 7, 9, 2], [3, 3, 2, 1], s(2, 'same')],
    ['5×3 valid', [1, 8, 6, 2], [5, 3, 2, 2], s(1, 'valid')],
    ['3×3 dilation 2 same', [1, 7, 7, 2], [3, 3, 2, 1], s(1, 'same', 2)],
    ['3×3 dilation 6 same (dead taps)', [1, 6, 6, 2], [3, 3, 2, 1], s(1, 'same', 6)],
  ] as [string, number[], number[], ConvSpec][])('DepthwiseConv2dNative backprop kernels, %s', (_label, x, f, spec) => {
    const xv = randomNaive(rng, x);
    const fv = randomNaive(rng, f);
    const dyv = randomNaive(rng, naiveDepthwiseConv2D(xv, fv, spec).shape);
    // Both gradients of a bilinear map, as adjoints of the forward in each argument.
    const dxRef = naiveLinearAdjoint((t) => naiveDepthwiseConv2D(t, fv, spec), x, dyv);
    const dwRef = naiveLinearAdjoint((t) => naiveDepthwiseConv2D(xv, t, spec), f, dyv);
    tf.tidy(() => {
      const dy = toTf(dyv);
      const attrs = { strides: spec.stride, pad: spec.pad, dilations: spec.dilation, dimRoundingMode: undefined };
      const dx = tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropInput, { dy, filter: toTf(fv) }, { ...attrs, inputShape: x } as unknown as tf.NamedAttrMap) as tf.Tensor;
      const dw = tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropFilter, { x: toTf(xv), dy }, { ...attrs, filterShape: f } as unknown as tf.NamedAttrMap) as tf.Tensor;
      expectClose(dx, dxRef);
      expectClose(dw, dwRef, 1e-4);
    });
  });

  it('trains through tf.depthwiseConv2d with tfjs-core gradients', () => {
    const xv = randomNaive(rng, [2, 5, 5, 2]);
    const fv = randomNaive(rng, [3, 3, 2, 1]);
    const spec = s(1, 'same');
    const dyv = randomNaive(rng, naiveDepthwiseConv2D(xv, fv, spec).shape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))([toTf(xv), toTf(fv)], toTf(dyv));
    expectClose(dx, naiveLinearAdjoint((t) => naiveDepthwiseConv2D(t, fv, spec), xv.shape, dyv));
    expectClose(dw, naiveLinearAdjoint((t) => naiveDepthwiseConv2D(xv, t, spec), fv.shape, dyv), 1e-4);
    tf.dispose([dx, dw]);
  });
});

describe('wasm-ort UnsortedSegmentSum (absent on wasm)', () => {
  it('sums rows into segments, dropping out-of-range ids, and gives tf.gather a gradient', () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]);
    const ids = tf.tensor1d([2, 0, 2, 5], 'int32');
    const y = tf.unsortedSegmentSum(x, ids, 3);
    expect(Array.from(y.dataSync())).toEqual([3, 4, 0, 0, 6, 8]);
    // d/dparams Σ gather(params, idx) · w: each params row collects the weights of the rows that read it.
    const params = tf.tensor2d([0, 0, 0, 0, 0, 0], [3, 2]);
    const w = tf.tensor2d([1, 10, 100, 1000, 5, 7], [3, 2]);
    const g = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.gather(p, tf.tensor1d([1, 1, 0], 'int32')), w)))(params);
    expect(Array.from(g.dataSync())).toEqual([5, 7, 101, 1010, 0, 0]);
    tf.dispose([x, ids, y, params, w, g]);
  });
});

describe('wasm-ort matrix products against float64 loops', () => {
  const MM: [number[], number[], boolean, boolean][] = [
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[3, 4, 6], [3, 6, 2], false, false],
    [[2, 6, 4], [2, 5, 6], true, true],
    [[4, 2, 3], [1, 3, 5], false, false],
  ];

  it.each(MM)('MatMul %j × %j (transposeA %s, transposeB %s)', (aShape, bShape, ta, tb) => {
    const a = randomNaive(rng, aShape);
    const b = randomNaive(rng, bShape);
    tf.tidy(() => expectClose(tf.matMul(toTf(a), toTf(b), ta, tb), naiveMatMul(a, b, ta, tb)));
  });

  it('_FusedMatMul with bias and leaky relu', () => {
    const a = randomNaive(rng, [6, 4]);
    const b = randomNaive(rng, [4, 5]);
    const bias = [1, -1, 0.5, 0, -0.5];
    const ref = naiveMatMul(a, b, false, false);
    const expected = { data: ref.data.map((v, i) => (v + bias[i % 5] > 0 ? v + bias[i % 5] : 0.1 * (v + bias[i % 5]))), shape: ref.shape };
    tf.tidy(() => {
      const y = tf.fused.matMul({ a: toTf(a) as tf.Tensor2D, b: toTf(b) as tf.Tensor2D, bias: tf.tensor1d(bias), activation: 'leakyrelu', leakyreluAlpha: 0.1 });
      expectClose(y, expected);
    });
  });
});
