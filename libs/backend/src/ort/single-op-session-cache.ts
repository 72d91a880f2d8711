import { Tensor as OrtTensor } from 'onnxruntime-node';
import { OnnxGraphBuilder } from '../onnx/onnx-graph-builder';
import { createNativeSession, NativeSession, singleOpSessionOptions } from './ort-binding';

/** A compiled small graph: feeds and float32 outputs are bound by position to their names. */
export interface CompiledOp {
  readonly session: NativeSession;
  readonly inputNames: string[];
  readonly outputNames: string[];
}

/** What a graph-building callback declares: its inputs in feed order, and one output or several. */
export type OpGraphSpec = { inputs: string[]; output: string } | { inputs: string[]; outputs: string[] };

/**
 * Caches one onnxruntime session per (operation, shapes, attributes) key. Building a session costs
 * milliseconds; a training step meets the same few dozen shapes every iteration, so each is built once.
 * At most `maxEntries` live at once: the least recently used is released first. Sessions run without a memory
 * arena (singleOpSessionOptions), so an idle one holds its graph, not the peak of its last run.
 */
export class SingleOpSessionCache {
  private readonly sessions = new Map<string, CompiledOp>();

  /** Intra-op threads of sessions built from now on (existing sessions keep theirs). */
  threads = 1;

  constructor(private readonly maxEntries = 512) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Returns the cached op for `key`, or builds it with `build`, which must declare inputs and one output. */
  get(key: string, build: (g: OnnxGraphBuilder) => OpGraphSpec): CompiledOp {
    const hit = this.sessions.get(key);
    if (hit) {
      // Most recently used last: a Map iterates in insertion order, so eviction takes the first key.
      this.sessions.delete(key);
      this.sessions.set(key, hit);
      return hit;
    }
    const g = new OnnxGraphBuilder(key.slice(0, 64));
    const spec = build(g);
    const outputNames = 'outputs' in spec ? spec.outputs : [spec.output];
    const op: CompiledOp = { session: createNativeSession(g.toBytes(), singleOpSessionOptions(this.threads)), inputNames: spec.inputs, outputNames };
    if (this.sessions.size >= this.maxEntries) this.evictOldest();
    this.sessions.set(key, op);
    return op;
  }

  /** Releases the least recently used session. */
  private evictOldest(): void {
    const first = this.sessions.keys().next();
    if (first.done) return;
    this.sessions.get(first.value)?.session.dispose();
    this.sessions.delete(first.value);
  }

  clear(): void {
    for (const op of this.sessions.values()) op.session.dispose();
    this.sessions.clear();
  }
}

export interface FloatView {
  data: Float32Array;
  dims: readonly number[];
}

/**
 * Runs a compiled op synchronously, writing the results straight into `outs` (views that may live in the
 * wasm heap), so no copy is made on the way back.
 */
export function runCompiledOp(op: CompiledOp, inputs: FloatView[], outs: FloatView[]): void {
  const feeds: Record<string, OrtTensor> = {};
  for (let i = 0; i < op.inputNames.length; i++) {
    feeds[op.inputNames[i]] = new OrtTensor('float32', inputs[i].data, inputs[i].dims);
  }
  const fetches: Record<string, OrtTensor> = {};
  for (let i = 0; i < op.outputNames.length; i++) {
    fetches[op.outputNames[i]] = new OrtTensor('float32', outs[i].data, outs[i].dims);
  }
  op.session.run(feeds, fetches, {});
}
