import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ZlsError } from '@zls/core';

/**
 * UnsortedSegmentSum for wasm-ort (the wasm backend has none, and tf.gather's gradient needs it):
 * out[s, ...] = Σ_{i : ids[i] = s} x[i, ...], ids outside [0, numSegments) dropped (as TensorFlow does).
 * A single memory-bound pass, done in JavaScript on views of the wasm heap.
 */
export function unsortedSegmentSum(args: { inputs: Record<string, tf.TensorInfo | undefined>; backend: BackendWasm; attrs: Record<string, unknown> }): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs['x'] as tf.TensorInfo;
  const ids = inputs['segmentIds'] as tf.TensorInfo;
  const numSegments = attrs['numSegments'] as number;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new ZlsError(`UnsortedSegmentSum: x must be float32 or int32, got ${x.dtype}`);
  const rows = tf.util.sizeFromShape(ids.shape);
  if (ids.shape.some((d, i) => d !== x.shape[i])) {
    throw new ZlsError(`UnsortedSegmentSum: segmentIds [${ids.shape}] must be a prefix of x's shape [${x.shape}]`);
  }
  const inner = tf.util.sizeFromShape(x.shape.slice(ids.shape.length));
  const outShape = [numSegments, ...x.shape.slice(ids.shape.length)];
  const out = backend.makeOutput(outShape, x.dtype);
  // Views after the allocation: growing the heap detaches older ones.
  const dst = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
  dst.fill(0);
  const src = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const seg = backend.typedArrayFromHeap(ids) as Int32Array;
  for (let r = 0; r < rows; r++) {
    const s = seg[r];
    if (s < 0 || s >= numSegments) continue;
    const from = r * inner;
    const to = s * inner;
    for (let k = 0; k < inner; k++) dst[to + k] += src[from + k];
  }
  return out;
}
