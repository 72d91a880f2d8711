import type * as tf from '@tensorflow/tfjs';
import type { TensorRecord } from '@zls/core';

/** A variable with its own learning-rate multiplier and L2 weight-decay coefficient. */
export interface ParamSlot {
  readonly variable: tf.Variable;
  readonly lrMultiplier: number;
  readonly weightDecay: number;
}

/** Applies gradients in place. Gradients are given in the same order as the slots. */
export interface Optimizer {
  apply(grads: readonly tf.Tensor[], lr: number): void;
  /** Everything needed to resume bit-for-bit (buffers and step count). */
  state(): TensorRecord;
  load(state: TensorRecord): void;
  dispose(): void;
}
