import * as tf from '@tensorflow/tfjs';
import { SeededRng } from '@zls/core';
import { registerZlsGradients } from '../gradients/register-gradients';
import { NaiveTensor } from '../testing/naive-reference';
import { disableTfjsKernelLeakCheck, randomNaive, relativeMaxError, toTf } from '../testing/naive-helpers';
import { registerWasmOrtBackend, WASM_ORT_BACKEND } from '../wasm-ort/register-wasm-ort-backend';
import { batchNormTrain } from './batch-norm-relu';

/** Float64 forward and backward of training batch norm (+ReLU) from the definitions, per channel. */
function naiveBatchNorm(x: NaiveTensor, gamma: number[], beta: number[], dy: NaiveTensor, relu: boolean, eps: number) {
  const c = x.shape[3];
  const m = x.data.length / c;
  const y = new Float64Array(x.data.length);
  const dx = new Float64Array(x.data.length);
  const dgamma = new Float64Array(c);
  const dbeta = new Float64Array(c);
  const means: number[] = [];
  const variances: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    let mean = 0;
    for (let i = ch; i < x.data.length; i += c) mean += x.data[i] / m;
    let variance = 0;
    for (let i = ch; i < x.data.length; i += c) variance += (x.data[i] - mean) ** 2 / m;
    means.push(mean);
    variances.push(variance);
    const inv = 1 / Math.sqrt(variance + eps);
    // Backward by the chain rule through mean and variance, written out term by term.
    let sumDxhat = 0;
    let sumDxhatXc = 0;
    const dxhat = new Float64Array(x.data.length);
    for (let i = ch; i < x.data.length; i += c) {
      const z = gamma[ch] * (x.data[i] - mean) * inv + beta[ch];
      y[i] = relu ? Math.max(0, z) : z;
      const dz = relu && z <= 0 ? 0 : dy.data[i];
      dbeta[ch] += dz;
      dgamma[ch] += dz * (x.data[i] - mean) * inv;
      dxhat[i] = dz * gamma[ch];
      sumDxhat += dxhat[i];
      sumDxhatXc += dxhat[i] * (x.data[i] - mean);
    }
    const dvar = -0.5 * sumDxhatXc * inv ** 3;
    const dmean = -sumDxhat * inv;
    for (let i = ch; i < x.data.length; i += c) dx[i] = dxhat[i] * inv + (dvar * 2 * (x.data[i] - mean)) / m + dmean / m;
  }
  const shape = x.shape;
  return {
    y: { data: y, shape },
    dx: { data: dx, shape },
    dgamma: { data: dgamma, shape: [c] },
    dbeta: { data: dbeta, shape: [c] },
    mean: { data: Float64Array.from(means), shape: [c] },
    variance: { data: Float64Array.from(variances), shape: [c] },
  };
}

const rng = new SeededRng(21);

beforeAll(() => {
  registerWasmOrtBackend();
  registerZlsGradients();
  disableTfjsKernelLeakCheck();
});

describe.each(['cpu', WASM_ORT_BACKEND])('batchNormTrain on %s', (backend) => {
  beforeAll(async () => {
    expect(await tf.setBackend(backend)).toBe(true);
  });

  it.each([
    [[2, 5, 3, 4], true],
    [[3, 4, 4, 3], false],
    [[1, 7, 5, 6], true],
  ] as [number[], boolean][])('shape %j relu %s: forward, statistics and gradients match float64', (shape, relu) => {
    const c = shape[3];
    const xv = randomNaive(rng, shape);
    // Shift channels apart so that mean removal matters.
    xv.data.forEach((v, i) => (xv.data[i] = Math.fround(v * 2 + (i % c))));
    const gamma = Array.from({ length: c }, () => Math.fround(rng.uniform(0.5, 1.5)));
    const beta = Array.from({ length: c }, () => Math.fround(rng.uniform(-0.5, 0.5)));
    const dyv = randomNaive(rng, shape);
    const ref = naiveBatchNorm(xv, gamma, beta, dyv, relu, 1e-5);
    const x = toTf(xv) as tf.Tensor4D;
    const g = tf.tensor1d(gamma);
    const b = tf.tensor1d(beta);
    const out = batchNormTrain(x, g, b, { relu });
    expect(relativeMaxError(out.y.dataSync(), ref.y)).toBeLessThan(1e-5);
    expect(relativeMaxError(out.mean.dataSync(), ref.mean)).toBeLessThan(1e-5);
    expect(relativeMaxError(out.variance.dataSync(), ref.variance)).toBeLessThan(1e-5);
    const [dx, dgamma, dbeta] = tf.grads((a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
      batchNormTrain(a as tf.Tensor4D, gg as tf.Tensor1D, bb as tf.Tensor1D, { relu }).y,
    )([x, g, b], toTf(dyv));
    expect(relativeMaxError(dx.dataSync(), ref.dx)).toBeLessThan(1e-4);
    expect(relativeMaxError(dgamma.dataSync(), ref.dgamma)).toBeLessThan(1e-4);
    expect(relativeMaxError(dbeta.dataSync(), ref.dbeta)).toBeLessThan(1e-5);
    tf.dispose([x, g, b, out.y, out.mean, out.variance, dx, dgamma, dbeta]);
  });

  it('names a channel mismatch', () => {
    expect(() => batchNormTrain(tf.zeros([1, 2, 2, 3]) as tf.Tensor4D, tf.ones([2]) as tf.Tensor1D, tf.zeros([3]) as tf.Tensor1D)).toThrow(/must have 3 entries/);
  });
});
