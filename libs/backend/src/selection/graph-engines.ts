import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ZlsError } from '@zls/core';
import { installedOnnxruntimeVersion } from '../ort/ort-binding';

/** Where training graphs (one onnxruntime graph per step) run. */
export interface GraphEngine {
  name: 'ort-cpu' | 'ort-cuda' | 'ort-webgpu';
  executionProviders: string[];
  detail: string;
}

/** The `backend` config value split into the tfjs backend (for everything else) and the graph engine. */
export interface EngineChoice {
  tfjsBackend: string;
  graphs?: GraphEngine;
}

export const GRAPH_ENGINE_NAMES = ['ort-cpu', 'ort-cuda', 'ort-webgpu'] as const;

const CUDA_INSTALL_HINT =
  "on Linux x64 with an NVIDIA driver, CUDA 12 and cuDNN 9: `ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node` " +
  '(its install script downloads the CUDA execution provider, so it needs network access and allowed install scripts)';

function ortBinDir(): string {
  const pkg = require.resolve('onnxruntime-node/package.json');
  return join(dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch);
}

/** Whether onnxruntime-node's CUDA execution provider library is installed, and where it was looked for. */
export function cudaProviderStatus(): { present: boolean; path: string; hint: string } {
  const path = join(ortBinDir(), process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so');
  return { present: existsSync(path), path, hint: CUDA_INSTALL_HINT };
}

/**
 * `auto` trains through graphs on onnxruntime's CPU provider and keeps the best tfjs backend for the rest;
 * `ort-cuda` / `ort-webgpu` (opt-in) run the graphs on that provider, falling back to CPU per op where the
 * provider lacks a kernel; a tfjs backend name (`wasm-ort`, `tensorflow`, …) trains through tfjs autodiff.
 */
export function chooseEngines(backend: string): EngineChoice {
  const version = installedOnnxruntimeVersion();
  switch (backend) {
    case 'auto':
    case 'ort-cpu':
      return { tfjsBackend: 'auto', graphs: { name: 'ort-cpu', executionProviders: ['cpu'], detail: `onnxruntime-node ${version}, CPU execution provider` } };
    case 'ort-cuda': {
      const cuda = cudaProviderStatus();
      if (!cuda.present) throw new ZlsError(`backend 'ort-cuda': onnxruntime-node's CUDA execution provider is not installed (${cuda.path} is missing); ${cuda.hint}`);
      return { tfjsBackend: 'auto', graphs: { name: 'ort-cuda', executionProviders: ['cuda', 'cpu'], detail: `onnxruntime-node ${version}, CUDA execution provider` } };
    }
    case 'ort-webgpu':
      return { tfjsBackend: 'auto', graphs: { name: 'ort-webgpu', executionProviders: ['webgpu', 'cpu'], detail: `onnxruntime-node ${version}, WebGPU execution provider (experimental)` } };
    default:
      return { tfjsBackend: backend };
  }
}
