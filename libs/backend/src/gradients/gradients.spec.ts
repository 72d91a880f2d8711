import * as tf from '@tensorflow/tfjs';
import { SeededRng } from '@zls/core';
import { ConvSpec, naiveConv2D, naiveConv2DGradFilter, naiveConv2DGradInput, naiveLinearAdjoint, naiveResizeBilinear } from '../testing/naive-reference';
import { randomNaive, relativeMaxError, toTf } from '../testing/naive-helpers';
import { registerWasmOrtBackend, WASM_ORT_BACKEND } from '../wasm-ort/register-wasm-ort-backend';
import { registerZlsGradients } from './register-gradients';
import { resizeBilinearHalfPixel } from './resize-bilinear';

const rng = new SeededRng(11);

beforeAll(() => {
  registerWasmOrtBackend();
  registerZlsGradients();
});

const dil = (d: number, pad: 'same' | 'valid'): ConvSpec => ({ stride: [1, 1], dilation: [d, d], pad });
const CONV_CASES: { label: string; x: number[]; f: number[]; spec: ConvSpec }[] = [
  { label: 'dilation 2 same', x: [2, 7, 8, 3], f: [3, 3, 3, 2], spec: dil(2, 'same') },
  { label: 'dilation 2 valid', x: [1, 9, 8, 2], f: [3, 3, 2, 3], spec: dil(2, 'valid') },
  { label: 'dilation 6 same', x: [1, 12, 11, 2], f: [3, 3, 2, 2], spec: dil(6, 'same') },
  { label: 'dilation 12 same', x: [2, 13, 12, 2], f: [3, 3, 2, 2], spec: dil(12, 'same') },
  { label: 'dilation 3 same, 2×3 filter', x: [1, 8, 9, 2], f: [2, 3, 2, 2], spec: dil(3, 'same') },
  { label: 'dilation 1 stride 2 (stock path)', x: [1, 9, 7, 2], f: [3, 3, 2, 2], spec: { stride: [2, 2], dilation: [1, 1], pad: 'same' } },
];

describe.each(['cpu', WASM_ORT_BACKEND])('registered gradients on %s', (backend) => {
  beforeAll(async () => {
    expect(await tf.setBackend(backend)).toBe(true);
  });

  it.each(CONV_CASES)('Conv2D gradient, $label, matches float64 loops', ({ x, f, spec }) => {
    const xv = randomNaive(rng, x);
    const fv = randomNaive(rng, f);
    const dyv = randomNaive(rng, naiveConv2D(xv, fv, spec).shape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, spec.stride, spec.pad, 'NHWC', spec.dilation),
    )([toTf(xv), toTf(fv)], toTf(dyv));
    expect(relativeMaxError(dx.dataSync(), naiveConv2DGradInput(x, fv, dyv, spec))).toBeLessThan(2e-5);
    expect(relativeMaxError(dw.dataSync(), naiveConv2DGradFilter(xv, f, dyv, spec))).toBeLessThan(1e-4);
    tf.dispose([dx, dw]);
  });

  it.each([
    ['half-pixel', [2, 5, 4, 3], [10, 8]],
    ['half-pixel', [1, 3, 5, 2], [12, 20]],
    ['half-pixel', [1, 7, 6, 2], [4, 3]],
    ['half-pixel', [1, 4, 4, 1], [7, 9]],
    // Corner-aligned: the mirror-aligned synthetic geometry (stride·k + 1 sides).
    ['corner-aligned', [1, 9, 9, 2], [33, 33]],
    ['corner-aligned', [2, 5, 4, 2], [97, 13]],
    ['corner-aligned', [1, 7, 7, 1], [25, 25]],
    ['corner-aligned', [1, 9, 6, 2], [3, 4]],
  ] as const)('%s bilinear resize %j → %j: forward and gradient match float64', (mode, shape, size) => {
    const corners = mode === 'corner-aligned';
    const resize = (a: tf.Tensor) => (corners ? tf.image.resizeBilinear(a as tf.Tensor4D, [size[0], size[1]], true, false) : resizeBilinearHalfPixel(a as tf.Tensor4D, [size[0], size[1]]));
    const xv = randomNaive(rng, [...shape]);
    const expected = naiveResizeBilinear(xv, size[0], size[1], corners);
    const dyv = randomNaive(rng, expected.shape);
    const y = resize(toTf(xv));
    expect(relativeMaxError(y.dataSync(), expected)).toBeLessThan(1e-5);
    const dx = tf.grad(resize)(toTf(xv), toTf(dyv));
    const expectedDx = naiveLinearAdjoint((t) => naiveResizeBilinear(t, size[0], size[1], corners), [...shape], dyv);
    expect(relativeMaxError(dx.dataSync(), expectedDx)).toBeLessThan(1e-5);
    tf.dispose([y, dx]);
  });
});
