import * as tf from '@tensorflow/tfjs';
import { SeededRng } from '@zls/core';
import { NaiveTensor } from './naive-reference';

/** Deterministic random data in [-1, 1), kept in float32 so both sides start from identical values. */
export function randomNaive(rng: SeededRng, shape: number[]): NaiveTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(size);
  for (let i = 0; i < size; i++) data[i] = Math.fround(rng.uniform(-1, 1));
  return { data, shape: [...shape] };
}

export function toTf(t: NaiveTensor): tf.Tensor {
  return tf.tensor(Float32Array.from(t.data), t.shape, 'float32');
}

/**
 * Max |a − b| relative to the reference's scale (max |b|, at least 1): float32 sums of K products carry
 * ~K·2⁻²⁴ relative error, so callers pass a tolerance that grows with the reduction length.
 */
export function relativeMaxError(actual: ArrayLike<number>, expected: NaiveTensor): number {
  if (actual.length !== expected.data.length) throw new Error(`length ${actual.length} vs expected ${expected.data.length}`);
  let scale = 1;
  for (const v of expected.data) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected.data[i]));
  return worst / scale;
}

/**
 * Under jest tfjs turns IS_TEST on, which makes it count backend data ids around every op; its check
 * misfires for logSoftmax's custom gradient on the stock wasm backend too (no data id is left behind:
 * training-memory.spec.ts asserts that directly). Specs that train on wasm-ort switch the check off.
 */
export function disableTfjsKernelLeakCheck(): void {
  tf.env().set('IS_TEST', false);
}
