import * as tf from '@tensorflow/tfjs';
import { Adam } from './adam';
import { SgdMomentum } from './sgd';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Float64 reference updates written from the formulas, run on the same gradient sequence.
const grads = [
  [0.5, -1.0, 2.0],
  [0.1, 0.3, -0.7],
  [-0.4, 0.0, 1.5],
];
const w0 = [1.0, -2.0, 0.5];

function referenceSgd(lr: number, mu: number, wd: number): number[] {
  const w = [...w0];
  let b: number[] | undefined;
  for (const g of grads) {
    const gd = g.map((x, i) => x + wd * w[i]);
    b = b ? b.map((x, i) => mu * x + gd[i]) : gd;
    for (let i = 0; i < w.length; i++) w[i] -= lr * b[i];
  }
  return w;
}

function referenceAdam(lr: number, wd: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[] {
  const w = [...w0];
  const m = [0, 0, 0];
  const v = [0, 0, 0];
  grads.forEach((g, t) => {
    for (let i = 0; i < w.length; i++) {
      const gd = g[i] + wd * w[i];
      m[i] = b1 * m[i] + (1 - b1) * gd;
      v[i] = b2 * v[i] + (1 - b2) * gd * gd;
      const mh = m[i] / (1 - b1 ** (t + 1));
      const vh = v[i] / (1 - b2 ** (t + 1));
      w[i] -= (lr * mh) / (Math.sqrt(vh) + eps);
    }
  });
  return w;
}

function run(make: (slots: { variable: tf.Variable; lrMultiplier: number; weightDecay: number }[]) => SgdMomentum | Adam, lrMultiplier: number, wd: number) {
  const variable = tf.variable(tf.tensor1d(w0));
  const opt = make([{ variable, lrMultiplier, weightDecay: wd }]);
  for (const g of grads) opt.apply([tf.tensor1d(g)], 0.1);
  const out = Array.from(variable.dataSync());
  return { out, opt, variable };
}

describe('SgdMomentum', () => {
  it('matches the PyTorch rule with momentum, weight decay and a learning-rate multiplier', () => {
    const { out } = run((s) => new SgdMomentum(s, 0.9), 10, 5e-4);
    referenceSgd(1.0, 0.9, 5e-4).forEach((r, i) => expect(out[i]).toBeCloseTo(r, 5));
  });

  it('resumes from saved state exactly as if it had not stopped', () => {
    const straight = run((s) => new SgdMomentum(s, 0.9), 1, 1e-2).out;
    const variable = tf.variable(tf.tensor1d(w0));
    const first = new SgdMomentum([{ variable, lrMultiplier: 1, weightDecay: 1e-2 }]);
    first.apply([tf.tensor1d(grads[0])], 0.1);
    const saved = first.state();
    const second = new SgdMomentum([{ variable, lrMultiplier: 1, weightDecay: 1e-2 }]);
    second.load(saved);
    second.apply([tf.tensor1d(grads[1])], 0.1);
    second.apply([tf.tensor1d(grads[2])], 0.1);
    expect(Array.from(variable.dataSync())).toEqual(straight);
  });
});

describe('Adam', () => {
  it('matches the bias-corrected Adam rule with coupled weight decay', () => {
    const { out } = run((s) => new Adam(s), 1, 1e-4);
    referenceAdam(0.1, 1e-4).forEach((r, i) => expect(out[i]).toBeCloseTo(r, 5));
  });

  it('round-trips its state, step count included', () => {
    const { opt } = run((s) => new Adam(s), 1, 0);
    const state = opt.state();
    expect(state['adam.step'].data[0]).toBe(3);
    const other = new Adam([{ variable: tf.variable(tf.tensor1d(w0)), lrMultiplier: 1, weightDecay: 0 }]);
    other.load(state);
    expect(other.state()).toEqual(state);
  });

  it('does not leak tensors per step', () => {
    const variable = tf.variable(tf.tensor1d(w0));
    const opt = new Adam([{ variable, lrMultiplier: 1, weightDecay: 1e-4 }]);
    const g = tf.tensor1d(grads[0]);
    opt.apply([g], 0.1);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) opt.apply([g], 0.1);
    expect(tf.memory().numTensors).toBe(before);
  });
});
