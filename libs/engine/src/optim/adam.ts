import * as tf from '@tensorflow/tfjs';
import type { TensorRecord } from '@zls/core';
import type { Optimizer, ParamSlot } from './optimizer';

/**
 * Adam with coupled L2 weight decay (PyTorch's `Adam(weight_decay=…)`, as the synthetic prototype used):
 * g ← g + λw; m ← β1m + (1−β1)g; v ← β2v + (1−β2)g²; w ← w − lr·m̂/(√v̂ + ε) with bias-corrected m̂, v̂.
 */
export class Adam implements Optimizer {
  private m: tf.Variable[] = [];
  private v: tf.Variable[] = [];
  private step = 0;

  constructor(
    private readonly slots: readonly ParamSlot[],
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.reset();
  }

  private reset(): void {
    this.m = this.slots.map((s) => tf.variable(tf.zerosLike(s.variable), false));
    this.v = this.slots.map((s) => tf.variable(tf.zerosLike(s.variable), false));
    this.step = 0;
  }

  apply(grads: readonly tf.Tensor[], lr: number): void {
    if (grads.length !== this.slots.length) throw new Error(`got ${grads.length} gradients for ${this.slots.length} variables`);
    this.step += 1;
    const c1 = 1 - Math.pow(this.beta1, this.step);
    const c2 = 1 - Math.pow(this.beta2, this.step);
    tf.tidy(() => {
      this.slots.forEach((slot, i) => {
        const w = slot.variable;
        const g = slot.weightDecay ? tf.add(grads[i], tf.mul(w, slot.weightDecay)) : grads[i];
        this.m[i].assign(tf.add(tf.mul(this.m[i], this.beta1), tf.mul(g, 1 - this.beta1)));
        this.v[i].assign(tf.add(tf.mul(this.v[i], this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        const update = tf.div(tf.div(this.m[i], c1), tf.add(tf.sqrt(tf.div(this.v[i], c2)), this.epsilon));
        w.assign(tf.sub(w, tf.mul(update, lr * slot.lrMultiplier)));
      });
    });
  }

  state(): TensorRecord {
    const out: TensorRecord = { 'adam.step': { data: Float32Array.of(this.step), shape: [1] } };
    this.slots.forEach((_, i) => {
      out[`adam.m.${i}`] = { data: this.m[i].dataSync() as Float32Array, shape: this.m[i].shape.slice() };
      out[`adam.v.${i}`] = { data: this.v[i].dataSync() as Float32Array, shape: this.v[i].shape.slice() };
    });
    return out;
  }

  load(state: TensorRecord): void {
    const step = state['adam.step'];
    if (!step) throw new Error('optimizer state has no adam.step: it was not written by Adam');
    this.slots.forEach((slot, i) => {
      for (const [name, target] of [['m', this.m[i]], ['v', this.v[i]]] as const) {
        const saved = state[`adam.${name}.${i}`];
        if (!saved || saved.shape.join() !== slot.variable.shape.join()) {
          throw new Error(`optimizer state adam.${name}.${i} is missing or not of shape [${slot.variable.shape}]`);
        }
        target.assign(tf.tensor(saved.data, saved.shape));
      }
    });
    this.step = step.data[0];
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
    this.m = [];
    this.v = [];
  }
}
