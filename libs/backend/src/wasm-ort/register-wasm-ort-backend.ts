import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { backendsWithDilatedConvBackprop } from '../gradients/conv2d-gradient';
import { loadOrtBinding } from '../ort/ort-binding';
import { Fallbacks, makeWasmOrtKernels } from './wasm-ort-kernels';

export const WASM_ORT_BACKEND = 'wasm-ort';

let sharedWasm: Promise<tf.KernelBackend> | undefined;

/**
 * One BackendWasm instance serves both 'wasm' and 'wasm-ort'. The wasm kernels bind their native functions
 * into module-level variables when a backend is set up, so two wasm module instances in one process would
 * call into each other's memory; sharing the instance avoids that and lets tensors pass between the two
 * names without a copy.
 */
function sharedWasmBackend(): Promise<tf.KernelBackend> {
  if (!sharedWasm) {
    const existing = tf.findBackend('wasm');
    if (existing) {
      sharedWasm = Promise.resolve(existing);
    } else {
      const original = tf.findBackendFactory('wasm');
      if (!original) throw new Error('the tfjs wasm backend is not registered (import @tensorflow/tfjs-backend-wasm)');
      sharedWasm = Promise.resolve(original());
      tf.removeBackend('wasm');
      tf.registerBackend('wasm', () => sharedWasm as Promise<tf.KernelBackend>, 2);
    }
  }
  return sharedWasm;
}

/**
 * Registers the 'wasm-ort' tfjs backend: every kernel of the wasm backend, with convolutions (forward, both
 * gradients, fused) and matrix products replaced by onnxruntime-node single-op sessions. Idempotent.
 * Throws when onnxruntime-node is missing or not the pinned version.
 */
export function registerWasmOrtBackend(): void {
  if (tf.findBackendFactory(WASM_ORT_BACKEND)) return;
  loadOrtBinding();
  const wasmKernels = tf.getKernelsForBackend('wasm');
  const fallbacks: Fallbacks = new Map(wasmKernels.map((k) => [k.kernelName, k.kernelFunc]));
  const overrides = makeWasmOrtKernels(fallbacks);
  const overridden = new Set(overrides.map((k) => k.kernelName));
  for (const k of wasmKernels) {
    if (!overridden.has(k.kernelName)) tf.registerKernel({ ...k, backendName: WASM_ORT_BACKEND });
  }
  // Setup binds the wasm module's exported functions the fallbacks call; reuse wasm's own setup when present.
  const setups = new Map(wasmKernels.map((k) => [k.kernelName, k.setupFunc]));
  for (const k of overrides) {
    tf.registerKernel({ kernelName: k.kernelName, backendName: WASM_ORT_BACKEND, kernelFunc: k.kernelFunc, setupFunc: setups.get(k.kernelName) });
  }
  backendsWithDilatedConvBackprop.add(WASM_ORT_BACKEND);
  // Priority 0: never picked by tfjs' own "best backend" logic; selectBackend chooses it explicitly.
  tf.registerBackend(WASM_ORT_BACKEND, () => sharedWasmBackend(), 0);
}

/** Names of the kernels that wasm-ort runs in onnxruntime rather than in the wasm module. */
export function wasmOrtKernelNames(): string[] {
  return makeWasmOrtKernels(new Map()).map((k) => k.kernelName);
}
