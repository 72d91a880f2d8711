import * as tf from '@tensorflow/tfjs';
import type { TensorRecord } from '@zls/core';
import type { Optimizer, ParamSlot } from './optimizer';

/**
 * SGD with momentum and coupled L2 weight decay, PyTorch's update rule (as the reference code trains):
 * g ← g + λw; b ← μb + g (b = g on the first step); w ← w − lr·b.
 */
export class SgdMomentum implements Optimizer {
  private buffers: (tf.Variable | undefined)[];

  constructor(
    private readonly slots: readonly ParamSlot[],
    private readonly momentum = 0.9,
  ) {
    this.buffers = slots.map(() => undefined);
  }

  apply(grads: readonly tf.Tensor[], lr: number): void {
    if (grads.length !== this.slots.length) throw new Error(`got ${grads.length} gradients for ${this.slots.length} variables`);
    tf.tidy(() => {
      this.slots.forEach((slot, i) => {
        const w = slot.variable;
        const g = slot.weightDecay ? tf.add(grads[i], tf.mul(w, slot.weightDecay)) : grads[i];
        const previous = this.buffers[i];
        const buffer = previous ? tf.add(tf.mul(previous, this.momentum), g) : g;
        if (previous) previous.assign(buffer);
        else this.buffers[i] = tf.keep(tf.variable(buffer, false));
        w.assign(tf.sub(w, tf.mul(buffer, lr * slot.lrMultiplier)));
      });
    });
  }

  state(): TensorRecord {
    const out: TensorRecord = {};
    this.buffers.forEach((b, i) => {
      if (b) out[`sgd.momentum.${i}`] = { data: b.dataSync() as Float32Array, shape: b.shape.slice() };
    });
    return out;
  }

  load(state: TensorRecord): void {
    this.dispose();
    this.buffers = this.slots.map((slot, i) => {
      const saved = state[`sgd.momentum.${i}`];
      if (!saved) return undefined;
      if (saved.shape.join() !== slot.variable.shape.join()) {
        throw new Error(`momentum ${i} has shape [${saved.shape}] but its variable is [${slot.variable.shape}]`);
      }
      return tf.variable(tf.tensor(saved.data, saved.shape), false);
    });
  }

  dispose(): void {
    for (const b of this.buffers) b?.dispose();
    this.buffers = this.slots.map(() => undefined);
  }
}
