import { SeededRng } from '@zls/core';
import { OnnxGraphBuilder } from '../onnx/onnx-graph-builder';
import { buildTrainingGraph, type TrainingLoss } from './build-training-graph';
import { emitMmdLoss } from './mmd-loss-graph';
import { OnnxTrainingSession } from './onnx-training-session';

const rng = new SeededRng(23);
const random = (n: number, lo = -1, hi = 1) => Float32Array.from({ length: n }, () => rng.uniform(lo, hi));

/** Σ_σ exp(−‖a − b‖²/(2σ²)) and its gradient with respect to a, in float64. */
function kernel(a: ArrayLike<number>, b: ArrayLike<number>, sigmas: readonly number[]): { k: number; dA: number[] } {
  const diff = Array.from(a, (v, i) => v - b[i]);
  const d2 = diff.reduce((s, v) => s + v * v, 0);
  let k = 0;
  const dA = diff.map(() => 0);
  for (const s of sigmas) {
    const e = Math.exp(-d2 / (2 * s * s));
    k += e;
    diff.forEach((v, i) => (dA[i] -= (e * v) / (s * s)));
  }
  return { k, dA };
}

/** Mean over groups of the biased MMD² (mmd-loss.ts's formula) and its gradient with respect to x, in float64. */
function naiveMmd(x: Float32Array, y: Float32Array, groups: number, n: number, m: number, d: number, sigmas: readonly number[]): { loss: number; dx: Float64Array } {
  const row = (t: Float32Array, i: number) => t.subarray(i * d, (i + 1) * d);
  let loss = 0;
  const dx = new Float64Array(x.length);
  for (let g = 0; g < groups; g++) {
    for (let i = 0; i < n; i++) {
      const xi = row(x, g * n + i);
      for (let j = 0; j < n; j++) {
        const { k, dA } = kernel(xi, row(x, g * n + j), sigmas);
        loss += k / (n * n) / groups;
        // x_i appears on both sides of the pair (i, j); the kernel is symmetric, so twice dA.
        dA.forEach((v, c) => (dx[(g * n + i) * d + c] += (2 * v) / (n * n) / groups));
      }
      for (let j = 0; j < m; j++) {
        const { k, dA } = kernel(xi, row(y, g * m + j), sigmas);
        loss -= (2 * k) / (n * m) / groups;
        dA.forEach((v, c) => (dx[(g * n + i) * d + c] -= (2 * v) / (n * m) / groups));
      }
    }
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) loss += kernel(row(y, g * m + i), row(y, g * m + j), sigmas).k / (m * m) / groups;
  }
  return { loss, dx };
}

/** One step at lr 0 of a graph whose parameter is `p` itself: the loss and dL/dp. */
async function lossAndGradient(g: OnnxGraphBuilder, inputDims: Record<string, number[]>, loss: TrainingLoss, inputs: Record<string, Float32Array>, targets?: Int32Array) {
  const graph = await buildTrainingGraph({ forward: g.ir(), inputDims, parameters: [{ name: 'p', lrMultiplier: 1, weightDecay: 0 }], loss, optimizer: { kind: 'sgd', momentum: 0 }, outputGradients: true });
  const session = await OnnxTrainingSession.create(graph, { threads: 1 });
  const out = await session.step({ inputs, targets, lr: 0 });
  await session.dispose();
  return { loss: out.loss, grad: out.gradients.get('p') as Float32Array };
}

const worstRelative = (actual: ArrayLike<number>, expected: ArrayLike<number>) => {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  }
  return worst / scale;
};

describe('MMD loss graph (ZS3Net) against float64', () => {
  it.each([
    ['ZS3Net bandwidths, features of scale 10', [2, 5, 10, 20, 40, 80], 10, 3, 6, 5, 4],
    ['small bandwidths, unequal n and m', [0.5, 1, 2], 1, 2, 4, 7, 3],
  ])('%s: the loss and, through the op rules, its gradient', async (_label, sigmas, scale, groups, n, m, d) => {
    const x = random(groups * n * d, -scale, scale);
    const y = random(groups * m * d, -scale, scale);
    const g = new OnnxGraphBuilder('mmd');
    g.addInput('y', [groups * m, d]);
    g.addInitializer('p', x, [groups * n, d]);
    const loss = emitMmdLoss(g, 'p', 'y', { groups, n, m, dim: d }, sigmas as number[]);
    g.addOutput(loss, []);
    const got = await lossAndGradient(g, { y: [groups * m, d] }, { kind: 'scalar', value: loss }, { y });
    const expected = naiveMmd(x, y, groups, n, m, d, sigmas as number[]);
    expect(got.loss).toBeCloseTo(expected.loss, 5);
    expect(worstRelative(got.grad, expected.dx)).toBeLessThan(1e-4);
  });

  it('is 0 with zero gradient when x equals y', async () => {
    const x = random(2 * 5 * 3);
    const g = new OnnxGraphBuilder('mmd-equal');
    g.addInput('y', [2, 5, 3]);
    g.addInitializer('p', x, [2, 5, 3]);
    const loss = emitMmdLoss(g, 'p', 'y', { groups: 2, n: 5, m: 5, dim: 3 }, [0.5, 1]);
    g.addOutput(loss, []);
    const got = await lossAndGradient(g, { y: [2, 5, 3] }, { kind: 'scalar', value: loss }, { y: x });
    expect(Math.abs(got.loss)).toBeLessThan(1e-6);
    for (const v of got.grad) expect(Math.abs(v)).toBeLessThan(1e-5);
  });
});

describe('class-weighted cross-entropy loss graph against float64', () => {
  it('equals Σ w·nll / Σ w with ignored labels, and its gradient (softmax − onehot)·w / Σw', async () => {
    const [p, k] = [9, 5];
    const scores = random(p * k, -3, 3);
    const labels = Int32Array.from({ length: p }, (_, i) => (i === 4 ? -1 : rng.int(0, k - 1)));
    const classWeights = [1, 1, 100, 1, 100];
    const g = new OnnxGraphBuilder('wce');
    g.addInput('x', [1]);
    g.addInitializer('p', scores, [p, k]);
    const y = g.op('Identity', ['p']);
    g.addOutput(y, null);
    const got = await lossAndGradient(g, { x: [1] }, { kind: 'class-weighted-cross-entropy', scores: y, classWeights }, { x: new Float32Array(1) }, labels);
    let total = 0;
    let weights = 0;
    const grad = new Float64Array(p * k);
    const probs: number[][] = [];
    for (let i = 0; i < p; i++) {
      const row = Array.from(scores.subarray(i * k, (i + 1) * k));
      const max = Math.max(...row);
      const z = row.reduce((a, v) => a + Math.exp(v - max), 0);
      probs.push(row.map((v) => Math.exp(v - max) / z));
      if (labels[i] < 0) continue;
      const w = classWeights[labels[i]];
      weights += w;
      total += w * -(row[labels[i]] - max - Math.log(z));
    }
    for (let i = 0; i < p; i++) {
      if (labels[i] < 0) continue;
      for (let c = 0; c < k; c++) grad[i * k + c] = ((probs[i][c] - (labels[i] === c ? 1 : 0)) * classWeights[labels[i]]) / weights;
    }
    expect(got.loss).toBeCloseTo(total / weights, 5);
    expect(worstRelative(got.grad, grad)).toBeLessThan(1e-5);
  });
});
