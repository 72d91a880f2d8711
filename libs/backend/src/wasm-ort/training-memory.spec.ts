import * as tf from '@tensorflow/tfjs';
import { SeededRng } from '@zls/core';
import { registerZlsGradients } from '../gradients/register-gradients';
import { disableTfjsKernelLeakCheck } from '../testing/naive-helpers';
import { tinyBatch, tinyLoss, tinyParams, TinySegNetSpec, tinyVariables } from '../testing/tiny-seg-net';
import { registerWasmOrtBackend, WASM_ORT_BACKEND } from './register-wasm-ort-backend';
import { wasmOrtSessions } from './wasm-ort-kernels';

const SPEC: TinySegNetSpec = { batch: 2, size: 16, classes: 5, embeddingDim: 7 };

describe('training on wasm-ort does not leak', () => {
  it('keeps the tensor count constant and resident memory bounded over 100 SGD-momentum steps', async () => {
    registerWasmOrtBackend();
    registerZlsGradients();
    disableTfjsKernelLeakCheck();
    expect(await tf.setBackend(WASM_ORT_BACKEND)).toBe(true);
    const rng = new SeededRng(9);
    const vars = tinyVariables(SPEC, tinyParams(SPEC, rng));
    const data = tinyBatch(SPEC, rng);
    const images = tf.tensor4d(data.images, [SPEC.batch, SPEC.size, SPEC.size, 3]);
    const labels = tf.tensor3d(data.labels, [SPEC.batch, SPEC.size, SPEC.size], 'int32');
    const embeddings = tf.tensor2d(data.embeddings, [SPEC.embeddingDim, SPEC.classes]);
    const optimizer = tf.train.momentum(0.05, 0.9);
    const step = () => {
      const loss = optimizer.minimize(() => tinyLoss(SPEC, vars, images, labels, embeddings), true, Object.values(vars));
      if (!loss) throw new Error('minimize returned no loss');
      const value = loss.dataSync()[0];
      loss.dispose();
      return value;
    };
    // Warm-up: the optimizer's momentum slots and the cached sessions appear in the first steps.
    const first = step();
    for (let i = 0; i < 4; i++) step();
    const tensors = tf.memory().numTensors;
    const dataIds = tf.backend().numDataIds();
    const sessions = wasmOrtSessions.size;
    const rss = process.memoryUsage().rss;
    let last = first;
    for (let i = 0; i < 100; i++) last = step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(dataIds);
    expect(wasmOrtSessions.size).toBe(sessions);
    expect(process.memoryUsage().rss - rss).toBeLessThan(64 * 1024 * 1024);
    // The steps really trained: the loss on this fixed batch went down.
    expect(last).toBeLessThan(first);
    tf.dispose([images, labels, embeddings, ...Object.values(vars)]);
    optimizer.dispose();
  });
});
