import { ZlsError } from '@zls/core';
import { Tensor as OrtTensor } from 'onnxruntime-node';

/**
 * The exact onnxruntime-node version whose internal synchronous binding this code was written against.
 * The public `InferenceSession.run` is async (tfjs kernels must be synchronous); the native binding's `run`
 * is synchronous but private, so any other version is refused rather than trusted.
 */
export const PINNED_ONNXRUNTIME_VERSION = '1.30.0';

/** Options as the native binding reads them (the public SessionOptions shape). */
export interface OrtSessionOptions {
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  executionMode?: 'sequential' | 'parallel';
  enableCpuMemArena?: boolean;
  enableMemPattern?: boolean;
  extra?: Record<string, unknown>;
}

interface RawValueMetadata {
  name: string;
  isTensor: boolean;
  type: number;
  shape: number[];
}

/** The native session object (onnxruntime-node/dist/binding: `binding.InferenceSession`). */
export interface NativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: OrtSessionOptions): void;
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, OrtTensor | null>, options: Record<string, unknown>): Record<string, OrtTensor | { type: string; data: unknown; dims: readonly number[] }>;
  dispose(): void;
  readonly inputMetadata: RawValueMetadata[];
  readonly outputMetadata: RawValueMetadata[];
}

interface BindingModule {
  binding: { InferenceSession: new () => NativeSession };
  initOrt(): void;
}

let cached: BindingModule | undefined;

/** Installed onnxruntime-node version (from its own version module). */
export function installedOnnxruntimeVersion(): string {
  return (require('onnxruntime-node/dist/version') as { version: string }).version;
}

/**
 * Loads and initialises the synchronous native binding. Throws a ZlsError naming the mismatch when the
 * installed onnxruntime-node is not the pinned version or the binding no longer has the expected shape.
 */
export function loadOrtBinding(): BindingModule {
  if (cached) return cached;
  const version = installedOnnxruntimeVersion();
  if (version !== PINNED_ONNXRUNTIME_VERSION) {
    throw new ZlsError(
      `onnxruntime-node ${version} is installed but zls uses its internal synchronous binding as of ${PINNED_ONNXRUNTIME_VERSION}; ` +
        `install onnxruntime-node@${PINNED_ONNXRUNTIME_VERSION} exactly (or re-check libs/backend/src/ort/ort-binding.ts for the new version)`,
    );
  }
  const mod = require('onnxruntime-node/dist/binding') as Partial<BindingModule>;
  if (typeof mod.initOrt !== 'function' || typeof mod.binding?.InferenceSession !== 'function') {
    throw new ZlsError('onnxruntime-node/dist/binding no longer exports { binding.InferenceSession, initOrt }: the synchronous route is broken');
  }
  mod.initOrt();
  cached = mod as BindingModule;
  return cached;
}

/** Creates a native session from model bytes, synchronously. */
export function createNativeSession(model: Uint8Array, options: OrtSessionOptions): NativeSession {
  const { binding } = loadOrtBinding();
  const session = new binding.InferenceSession();
  session.loadModel(model.buffer as ArrayBuffer, model.byteOffset, model.byteLength, options);
  return session;
}

/**
 * Memory settings for sessions that meet many input shapes (a tfjs kernel session per shape, a frozen pass's views
 * at ×1, ×1.5, ×1.75). onnxruntime's default CPU arena keeps every block a session allocated until the session is
 * released, so each single-op session held the peak of its largest run: STRICT labelling of 513-px VOC images with
 * a ResNet-18 on wasm-ort passed 10 GB within three views (5.5 GB after one 4×513² view, 17 sessions), against
 * 1.1 GB with the arena off; the whole-graph view held 2.2 GB after its 4×898² views, against 1.2 GB. Memory
 * patterns (one pre-planned block per input shape) go too. With both off, a run's intermediates are freed when it
 * ends. Training graphs keep the defaults: one fixed shape per session, rebuilt when the batch shape changes.
 */
export const VARIABLE_SHAPE_MEMORY: Readonly<Pick<OrtSessionOptions, 'enableCpuMemArena' | 'enableMemPattern'>> = Object.freeze({
  enableCpuMemArena: false,
  enableMemPattern: false,
});

/**
 * Options for the many small single-op sessions used as tfjs kernels: no spinning (dozens of sessions each
 * own a thread pool, and spinning pools steal each other's cores); one thread unless told otherwise; no arena
 * and no memory patterns (VARIABLE_SHAPE_MEMORY: up to 512 of them live at once, one per shape).
 */
export function singleOpSessionOptions(threads = 1): OrtSessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    ...VARIABLE_SHAPE_MEMORY,
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

/**
 * Options for a whole-graph inference session with symbolic batch and image axes (frozen passes: evaluation,
 * labelling): `threads` intra-op threads, sequential, and VARIABLE_SHAPE_MEMORY, since one session runs every view.
 */
export function frozenGraphSessionOptions(threads: number): OrtSessionOptions {
  return { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential', ...VARIABLE_SHAPE_MEMORY };
}
