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
 * Options for the many small single-op sessions used as tfjs kernels: no spinning (dozens of sessions each
 * own a thread pool, and spinning pools steal each other's cores); one thread unless told otherwise.
 */
export function singleOpSessionOptions(threads = 1): OrtSessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}
