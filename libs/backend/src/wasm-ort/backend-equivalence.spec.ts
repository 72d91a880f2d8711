import * as tf from '@tensorflow/tfjs';
import { SeededRng } from '@zls/core';
import { registerZlsGradients } from '../gradients/register-gradients';
import { disableTfjsKernelLeakCheck } from '../testing/naive-helpers';
import { tinyBatch, tinyLoss, tinyParams, tinyParamShapes, TinySegNetSpec } from '../testing/tiny-seg-net';
import { registerWasmOrtBackend, WASM_ORT_BACKEND } from './register-wasm-ort-backend';

const SPEC: TinySegNetSpec = { batch: 2, size: 12, classes: 5, embeddingDim: 7 };

/** Loss and every parameter gradient of the tiny net on one backend, read back to plain arrays. */
async function lossAndGrads(backend: string): Promise<{ loss: number; grads: Record<string, Float32Array> }> {
  expect(await tf.setBackend(backend)).toBe(true);
  const rng = new SeededRng(5);
  const params = tinyParams(SPEC, rng);
  const batch = tinyBatch(SPEC, rng);
  const names = Object.keys(params);
  return tf.tidy(() => {
    const images = tf.tensor4d(batch.images, [SPEC.batch, SPEC.size, SPEC.size, 3]);
    const labels = tf.tensor3d(batch.labels, [SPEC.batch, SPEC.size, SPEC.size], 'int32');
    const embeddings = tf.tensor2d(batch.embeddings, [SPEC.embeddingDim, SPEC.classes]);
    const shapes = tinyParamShapes(SPEC);
    const tensors = names.map((n) => tf.tensor(params[n], shapes[n]));
    const f = (...xs: tf.Tensor[]) => {
      const p: Record<string, tf.Tensor> = {};
      names.forEach((n, i) => (p[n] = xs[i]));
      return tinyLoss(SPEC, p, images, labels, embeddings);
    };
    const { value, grads } = tf.valueAndGrads(f)(tensors);
    const out: Record<string, Float32Array> = {};
    names.forEach((n, i) => (out[n] = grads[i].dataSync() as Float32Array));
    return { loss: value.dataSync()[0], grads: out };
  });
}

describe('tiny segmentation net: cpu and wasm-ort agree', () => {
  beforeAll(() => {
    registerWasmOrtBackend();
    registerZlsGradients();
    disableTfjsKernelLeakCheck();
  });

  it('gives the same loss and parameter gradients within float32 tolerance', async () => {
    const ref = await lossAndGrads('cpu');
    const ort = await lossAndGrads(WASM_ORT_BACKEND);
    expect(Number.isFinite(ref.loss)).toBe(true);
    expect(Math.abs(ort.loss - ref.loss)).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref.loss)));
    for (const [name, g] of Object.entries(ref.grads)) {
      const o = ort.grads[name];
      let scale = 1e-3;
      let worst = 0;
      g.forEach((v, i) => {
        scale = Math.max(scale, Math.abs(v));
        worst = Math.max(worst, Math.abs(v - o[i]));
      });
      // Every gradient is non-trivial and equal up to float32 rounding relative to its own scale.
      expect(scale).toBeGreaterThan(1e-3);
      if (worst / scale >= 1e-4) throw new Error(`gradient of ${name}: relative error ${worst / scale}`);
    }
  });
});
