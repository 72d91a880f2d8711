import * as tf from '@tensorflow/tfjs';
import { registerWasmOrtBackend, WASM_ORT_BACKEND, wasmOrtKernelNames } from './register-wasm-ort-backend';

describe('registerWasmOrtBackend', () => {
  beforeAll(() => registerWasmOrtBackend());

  it('is idempotent and registers every wasm kernel plus the onnxruntime ones under wasm-ort', () => {
    registerWasmOrtBackend();
    const ort = new Set(tf.getKernelsForBackend(WASM_ORT_BACKEND).map((k) => k.kernelName));
    for (const k of tf.getKernelsForBackend('wasm')) expect(ort.has(k.kernelName)).toBe(true);
    expect(ort.has(tf.Conv2DBackpropFilter)).toBe(true);
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeUndefined();
    for (const name of wasmOrtKernelNames()) expect(tf.getKernel(name, WASM_ORT_BACKEND)?.kernelFunc).not.toBe(tf.getKernel(name, 'wasm')?.kernelFunc);
  });

  it('shares one wasm instance with the wasm backend, so tensors cross without copies', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    await tf.setBackend(WASM_ORT_BACKEND);
    expect(tf.findBackend('wasm')).toBe(tf.findBackend(WASM_ORT_BACKEND));
    const y = tf.conv2d(x, tf.ones([2, 2, 1, 1]) as tf.Tensor4D, 1, 'valid');
    expect(Array.from(y.dataSync())).toEqual([10]);
    tf.dispose([x, y]);
  });
});
