import { SeededRng } from '@zls/core';
import { OnnxGraphBuilder } from '../onnx/onnx-graph-builder';
import { buildTrainingGraph } from './build-training-graph';
import { OnnxTrainingSession } from './onnx-training-session';

const rng = new SeededRng(5);
const random = (n: number, lo = -1, hi = 1) => Float32Array.from({ length: n }, () => rng.uniform(lo, hi));

/** value = Identity(p): the weighted-sum loss then has gradient r with respect to p, every step. */
function identityGraph(values: Float32Array, dims: number[]) {
  const g = new OnnxGraphBuilder('identity');
  g.addInput('x', [1]);
  g.addInitializer('w', values, dims);
  const y = g.op('Identity', ['w']);
  g.addOutput(y, null);
  return { ir: g.ir(), y };
}

describe('training-graph optimiser updates against float64 PyTorch-rule implementations', () => {
  const dims = [3, 4];
  const w0 = random(12);
  const r = random(12);
  const lrs = [0.1, 0.05, 0.02];

  it('SGD with momentum, weight decay and an lr multiplier over three steps', async () => {
    const { ir, y } = identityGraph(w0, dims);
    const graph = await buildTrainingGraph({ forward: ir, inputDims: { x: [1] }, parameters: [{ name: 'w', lrMultiplier: 10, weightDecay: 5e-4 }], loss: { kind: 'weighted-sum', value: y }, optimizer: { kind: 'sgd', momentum: 0.9 } });
    const session = await OnnxTrainingSession.create(graph, { threads: 1 });
    const w = Float64Array.from(w0);
    const b = new Float64Array(12);
    for (const lr of lrs) {
      await session.step({ inputs: { x: new Float32Array(1) }, targets: r, lr });
      for (let i = 0; i < 12; i++) {
        const g = r[i] + 5e-4 * w[i];
        b[i] = 0.9 * b[i] + g;
        w[i] -= lr * 10 * b[i];
      }
    }
    const got = session.value('w');
    for (let i = 0; i < 12; i++) expect(got[i]).toBeCloseTo(w[i], 5);
    await session.dispose();
  });

  it('Adam with bias correction and coupled weight decay over three steps', async () => {
    const { ir, y } = identityGraph(w0, dims);
    const graph = await buildTrainingGraph({ forward: ir, inputDims: { x: [1] }, parameters: [{ name: 'w', lrMultiplier: 1, weightDecay: 1e-2 }], loss: { kind: 'weighted-sum', value: y }, optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } });
    const session = await OnnxTrainingSession.create(graph, { threads: 1, adam: { beta1: 0.9, beta2: 0.999 } });
    const w = Float64Array.from(w0);
    const m = new Float64Array(12);
    const v = new Float64Array(12);
    for (let t = 1; t <= lrs.length; t++) {
      const lr = lrs[t - 1];
      await session.step({ inputs: { x: new Float32Array(1) }, targets: r, lr });
      for (let i = 0; i < 12; i++) {
        const g = r[i] + 1e-2 * w[i];
        m[i] = 0.9 * m[i] + 0.1 * g;
        v[i] = 0.999 * v[i] + 0.001 * g * g;
        w[i] -= (lr * (m[i] / (1 - 0.9 ** t))) / (Math.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8);
      }
    }
    const got = session.value('w');
    for (let i = 0; i < 12; i++) expect(got[i]).toBeCloseTo(w[i], 5);
    await session.dispose();
  });
});

describe('training-graph batch norm running statistics', () => {
  it('blend the batch mean and the unbiased batch variance with ONNX momentum (weight of the old value)', async () => {
    const [n, c, h, w] = [2, 3, 4, 5];
    const x = random(n * c * h * w, -2, 3);
    const g = new OnnxGraphBuilder('bn');
    g.addInput('x', [n, c, h, w]);
    const mean0 = random(c);
    const var0 = random(c, 0.5, 2);
    g.addInitializer('scale', random(c, 0.5, 1.5), [c]).addInitializer('bias', random(c), [c]);
    g.addInitializer('mean', mean0, [c]).addInitializer('var', var0, [c]);
    const y = g.op('BatchNormalization', ['x', 'scale', 'bias', 'mean', 'var'], { epsilon: { float: 1e-5 }, momentum: { float: 0.9 } });
    g.addOutput(y, null);
    const graph = await buildTrainingGraph({
      forward: g.ir(),
      inputDims: { x: [n, c, h, w] },
      parameters: [{ name: 'scale', lrMultiplier: 1, weightDecay: 0 }, { name: 'bias', lrMultiplier: 1, weightDecay: 0 }],
      loss: { kind: 'weighted-sum', value: y },
      optimizer: { kind: 'sgd', momentum: 0 },
    });
    const session = await OnnxTrainingSession.create(graph, { threads: 1 });
    await session.step({ inputs: { x }, targets: random(n * c * h * w), lr: 0 });
    const count = n * h * w;
    for (let ch = 0; ch < c; ch++) {
      let s = 0;
      for (let b = 0; b < n; b++) for (let i = 0; i < h * w; i++) s += x[(b * c + ch) * h * w + i];
      const mu = s / count;
      let q = 0;
      for (let b = 0; b < n; b++) for (let i = 0; i < h * w; i++) q += (x[(b * c + ch) * h * w + i] - mu) ** 2;
      expect(session.value('mean')[ch]).toBeCloseTo(0.9 * mean0[ch] + 0.1 * mu, 5);
      expect(session.value('var')[ch]).toBeCloseTo(0.9 * var0[ch] + 0.1 * (q / (count - 1)), 5);
    }
    await session.dispose();
  });
});

describe('training-graph masked cross-entropy', () => {
  it('equals the float64 mean over valid pixels, and its gradient (softmax − onehot)/count', async () => {
    const [n, h, w, k] = [2, 3, 4, 5];
    const scores = random(n * h * w * k, -3, 3);
    const labels = Int32Array.from({ length: n * h * w }, () => (rng.uniform(0, 1) < 0.3 ? -1 : rng.int(0, k - 1)));
    const g = new OnnxGraphBuilder('ce');
    g.addInput('x', [1]);
    g.addInitializer('s', scores, [n, h, w, k]);
    const y = g.op('Identity', ['s']);
    g.addOutput(y, null);
    const graph = await buildTrainingGraph({ forward: g.ir(), inputDims: { x: [1] }, parameters: [{ name: 's', lrMultiplier: 1, weightDecay: 0 }], loss: { kind: 'masked-cross-entropy', scores: y }, optimizer: { kind: 'sgd', momentum: 0 }, outputGradients: true });
    const session = await OnnxTrainingSession.create(graph, { threads: 1 });
    const { loss, gradients } = await session.step({ inputs: { x: new Float32Array(1) }, targets: labels, lr: 0 });
    let total = 0;
    let valid = 0;
    const expected = new Float64Array(scores.length);
    const probs: number[][] = [];
    for (let p = 0; p < n * h * w; p++) {
      const row = Array.from(scores.subarray(p * k, (p + 1) * k));
      const max = Math.max(...row);
      const z = row.reduce((a, v) => a + Math.exp(v - max), 0);
      probs.push(row.map((v) => Math.exp(v - max) / z));
      if (labels[p] >= 0) {
        valid++;
        total -= row[Number(labels[p])] - max - Math.log(z);
      }
    }
    for (let p = 0; p < n * h * w; p++) {
      if (labels[p] < 0) continue;
      for (let c = 0; c < k; c++) expected[p * k + c] = (probs[p][c] - (Number(labels[p]) === c ? 1 : 0)) / valid;
    }
    expect(loss).toBeCloseTo(total / valid, 5);
    const grad = gradients.get('s') as Float32Array;
    for (let i = 0; i < grad.length; i++) expect(grad[i]).toBeCloseTo(expected[i], 6);
    await session.dispose();
  });
});

describe('training-graph updates of small parameters as one flat vector', () => {
  // w and u share their settings (one flat update); z has its own lr multiplier and decay (its own nodes).
  const params = [
    { name: 'w', dims: [3, 4], lrMultiplier: 1, weightDecay: 1e-2 },
    { name: 'u', dims: [2, 1, 3], lrMultiplier: 1, weightDecay: 1e-2 },
    { name: 'z', dims: [5], lrMultiplier: 10, weightDecay: 0 },
  ];
  const initial = params.map((p) => random(p.dims.reduce((a, b) => a * b, 1)));
  const total = initial.reduce((a, v) => a + v.length, 0);
  const r = random(total);
  const lrs = [0.1, 0.05, 0.02];

  /** value = Concat(flattened w, u, z): the weighted-sum loss's gradient is r's slice for each parameter. */
  function concatGraph() {
    const g = new OnnxGraphBuilder('concat');
    g.addInput('x', [1]);
    params.forEach((p, i) => g.addInitializer(p.name, initial[i], p.dims));
    g.addInt64Initializer('flat', [-1]);
    const y = g.op('Concat', params.map((p) => g.op('Reshape', [p.name, 'flat'])), { axis: 0 });
    g.addOutput(y, null);
    return { ir: g.ir(), y };
  }

  it.each([
    ['sgd', { kind: 'sgd', momentum: 0.9 }],
    ['adam', { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }],
  ] as const)('%s: every parameter and buffer as the float64 rule gives it alone, state kept per parameter', async (_, optimizer) => {
    const { ir, y } = concatGraph();
    const graph = await buildTrainingGraph({ forward: ir, inputDims: { x: [1] }, parameters: params, loss: { kind: 'weighted-sum', value: y }, optimizer });
    expect(graph.state.map((s) => s.input)).toEqual(
      params.flatMap((p) => (optimizer.kind === 'sgd' ? [p.name, `${p.name}__momentum`] : [p.name, `${p.name}__adam_m`, `${p.name}__adam_v`])),
    );
    const session = await OnnxTrainingSession.create(graph, { threads: 1, adam: { beta1: 0.9, beta2: 0.999 } });
    const w = initial.map((v) => Float64Array.from(v));
    const m = initial.map((v) => new Float64Array(v.length));
    const v2 = initial.map((v) => new Float64Array(v.length));
    for (let t = 1; t <= lrs.length; t++) {
      await session.step({ inputs: { x: new Float32Array(1) }, targets: r, lr: lrs[t - 1] });
      let offset = 0;
      params.forEach((p, k) => {
        const lr = lrs[t - 1] * p.lrMultiplier;
        for (let i = 0; i < w[k].length; i++) {
          const g = r[offset + i] + p.weightDecay * w[k][i];
          if (optimizer.kind === 'sgd') {
            m[k][i] = 0.9 * m[k][i] + g;
            w[k][i] -= lr * m[k][i];
          } else {
            m[k][i] = 0.9 * m[k][i] + 0.1 * g;
            v2[k][i] = 0.999 * v2[k][i] + 0.001 * g * g;
            w[k][i] -= (lr * (m[k][i] / (1 - 0.9 ** t))) / (Math.sqrt(v2[k][i] / (1 - 0.999 ** t)) + 1e-8);
          }
        }
        offset += w[k].length;
      });
    }
    params.forEach((p, k) => {
      const got = session.value(p.name);
      expect(got.length).toBe(w[k].length);
      for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(w[k][i], 5);
      const buffer = session.value(optimizer.kind === 'sgd' ? `${p.name}__momentum` : `${p.name}__adam_m`);
      for (let i = 0; i < got.length; i++) expect(buffer[i]).toBeCloseTo(m[k][i], 5);
    });
    await session.dispose();
  });
});
