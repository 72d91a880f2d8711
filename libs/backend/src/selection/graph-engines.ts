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

export interface GraphEngineProbe {
  name: GraphEngine['name'];
  available: boolean;
  detail: string;
  hint?: string;
}

/** Builds and runs a one-node graph on exactly these providers (no CPU fallback), to see that they work. */
async function smokeTest(providers: string[]): Promise<void> {
  const { OnnxGraphBuilder } = await import('../onnx/onnx-graph-builder');
  const { InferenceSession, Tensor } = await import('onnxruntime-node');
  const g = new OnnxGraphBuilder('smoke');
  g.addInput('x', [1, 4]);
  g.addNode('Relu', ['x'], ['y']);
  g.addOutput('y', [1, 4]);
  const session = await InferenceSession.create(g.toBytes(), { executionProviders: providers });
  try {
    const out = await session.run({ x: new Tensor('float32', Float32Array.of(-1, 2, -3, 4), [1, 4]) });
    const y = Array.from(out['y'].data as Float32Array);
    if (y.join() !== '0,2,0,4') throw new Error(`Relu gave [${y}]`);
  } finally {
    await session.release();
  }
}

const errorLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];

/**
 * Which training-graph engines work here. CPU and CUDA are tried with a one-node graph; WebGPU is only tried
 * when asked (`includeWebgpu`), since starting it without a GPU adapter can take long on some machines.
 */
export async function probeGraphEngines(includeWebgpu = false): Promise<GraphEngineProbe[]> {
  const version = installedOnnxruntimeVersion();
  const out: GraphEngineProbe[] = [];
  try {
    await smokeTest(['cpu']);
    const { nchwcBlockSize } = await import('../training-graph/nchwc-convolution');
    const block = await nchwcBlockSize();
    const convolutions = block ? `convolutions on its channel-blocked (NCHWc) kernels, block ${block}` : 'no channel-blocked (NCHWc) kernels on this CPU: plain convolutions';
    out.push({ name: 'ort-cpu', available: true, detail: `onnxruntime-node ${version}, CPU execution provider; ${convolutions}` });
  } catch (e) {
    out.push({ name: 'ort-cpu', available: false, detail: errorLine(e) });
  }
  const cuda = cudaProviderStatus();
  if (!cuda.present) out.push({ name: 'ort-cuda', available: false, detail: `CUDA execution provider not installed (${cuda.path} is missing)`, hint: cuda.hint });
  else {
    try {
      await smokeTest(['cuda']);
      out.push({ name: 'ort-cuda', available: true, detail: `onnxruntime-node ${version}, CUDA execution provider` });
    } catch (e) {
      out.push({ name: 'ort-cuda', available: false, detail: `the CUDA execution provider is installed but did not start: ${errorLine(e)}`, hint: 'check the NVIDIA driver, CUDA 12 and cuDNN 9 libraries (LD_LIBRARY_PATH)' });
    }
  }
  if (!includeWebgpu) out.push({ name: 'ort-webgpu', available: false, detail: 'not tried (opt-in: `zls doctor --backend ort-webgpu` tries it)' });
  else {
    try {
      await smokeTest(['webgpu']);
      out.push({ name: 'ort-webgpu', available: true, detail: `onnxruntime-node ${version}, WebGPU execution provider (experimental)` });
    } catch (e) {
      out.push({ name: 'ort-webgpu', available: false, detail: `the WebGPU execution provider did not start: ${errorLine(e)}` });
    }
  }
  return out;
}
