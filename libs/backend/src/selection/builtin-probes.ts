import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { installedOnnxruntimeVersion, loadOrtBinding, PINNED_ONNXRUNTIME_VERSION } from '../ort/ort-binding';
import { registerWasmOrtBackend, WASM_ORT_BACKEND } from '../wasm-ort/register-wasm-ort-backend';
import { BackendProbe, ProbeResult } from './backend-probe';

function errorText(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}

/** Switches tfjs to `name` and checks one small convolution runs there. */
async function switchAndSmokeTest(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`tf.setBackend('${name}') did not take effect`);
  const y = tf.tidy(() => tf.conv2d(tf.ones([1, 3, 3, 1]) as tf.Tensor4D, tf.ones([3, 3, 1, 1]) as tf.Tensor4D, 1, 'same'));
  const center = (await y.data())[4];
  y.dispose();
  if (center !== 9) throw new Error(`smoke test on '${name}': conv of ones gave ${center}, expected 9`);
}

const TFJS_NODE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

const CUDA_HINT =
  'on a Linux machine with an NVIDIA GPU, CUDA 11.2 and cuDNN 8.1: `npm install --save-exact @tensorflow/tfjs-node-gpu@4.22.0` ' +
  '(its install script downloads libtensorflow, so it needs network access and allowed install scripts); ' +
  'without a GPU, `@tensorflow/tfjs-node@4.22.0` gives the native CPU backend';

/** tfjs-node-gpu, then tfjs-node: TensorFlow's native library, registered by tfjs as 'tensorflow'. */
export const tensorflowProbe: BackendProbe = {
  name: 'tensorflow',
  description: 'TensorFlow C library through @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node',
  async probe(): Promise<ProbeResult> {
    const reasons: string[] = [];
    for (const pkg of TFJS_NODE_PACKAGES) {
      try {
        require.resolve(pkg);
      } catch {
        reasons.push(`${pkg} is not installed`);
        continue;
      }
      try {
        require(pkg);
        if (tf.findBackendFactory('tensorflow')) return { name: 'tensorflow', available: true, detail: `${pkg} loaded` };
        reasons.push(`${pkg} loaded but registered no 'tensorflow' backend (a second copy of tfjs-core?)`);
      } catch (e) {
        reasons.push(`${pkg} failed to load: ${errorText(e)}`);
      }
    }
    return { name: 'tensorflow', available: false, detail: reasons.join('; '), hint: CUDA_HINT };
  },
  async activate(): Promise<string> {
    const result = await this.probe();
    if (!result.available) throw new Error(result.detail);
    await switchAndSmokeTest('tensorflow');
    return result.detail;
  },
};

function wasmFilesPresent(): string | null {
  const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  const missing = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'].filter((f) => !existsSync(join(dir, f)));
  return missing.length === 0 ? null : `missing ${missing.join(', ')} in ${dir}`;
}

/** tfjs wasm backend (XNNPACK, one thread in Node). */
export const wasmProbe: BackendProbe = {
  name: 'wasm',
  description: 'tfjs WebAssembly backend (XNNPACK; single-threaded in Node; cannot train convolutions by itself)',
  async probe(): Promise<ProbeResult> {
    try {
      const missing = wasmFilesPresent();
      if (missing) return { name: 'wasm', available: false, detail: missing };
      return { name: 'wasm', available: true, detail: `@tensorflow/tfjs-backend-wasm ${tf.version_core}` };
    } catch (e) {
      return { name: 'wasm', available: false, detail: errorText(e), hint: 'npm install @tensorflow/tfjs-backend-wasm@4.22.0' };
    }
  },
  async activate(): Promise<string> {
    const result = await this.probe();
    if (!result.available) throw new Error(result.detail);
    await switchAndSmokeTest('wasm');
    return `${result.detail}; note: no Conv2DBackpropFilter kernel, so convolutions cannot be trained here`;
  },
};

/** wasm backend with convolutions and matrix products run by onnxruntime-node. */
export const wasmOrtProbe: BackendProbe = {
  name: WASM_ORT_BACKEND,
  description: 'tfjs wasm backend with Conv2D (+ gradients, fused) and MatMul run by onnxruntime-node',
  async probe(): Promise<ProbeResult> {
    const wasm = await wasmProbe.probe();
    if (!wasm.available) return { ...wasm, name: WASM_ORT_BACKEND };
    try {
      loadOrtBinding();
      return { name: WASM_ORT_BACKEND, available: true, detail: `${wasm.detail} + onnxruntime-node ${installedOnnxruntimeVersion()} (synchronous binding)` };
    } catch (e) {
      return {
        name: WASM_ORT_BACKEND,
        available: false,
        detail: errorText(e),
        hint: `npm install --save-exact onnxruntime-node@${PINNED_ONNXRUNTIME_VERSION} (set ONNXRUNTIME_NODE_INSTALL=skip to skip its CUDA download)`,
      };
    }
  },
  async activate(): Promise<string> {
    const result = await this.probe();
    if (!result.available) throw new Error(result.detail);
    registerWasmOrtBackend();
    await switchAndSmokeTest(WASM_ORT_BACKEND);
    return result.detail;
  },
};

/** tfjs' plain JavaScript backend: slow, always there; the numerical reference in tests. */
export const cpuProbe: BackendProbe = {
  name: 'cpu',
  description: 'tfjs JavaScript backend (always available; slow; the numerical reference)',
  async probe(): Promise<ProbeResult> {
    return { name: 'cpu', available: true, detail: `@tensorflow/tfjs-backend-cpu ${tf.version_core}` };
  },
  async activate(): Promise<string> {
    await switchAndSmokeTest('cpu');
    return (await this.probe()).detail;
  },
};
