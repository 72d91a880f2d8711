import * as tf from '@tensorflow/tfjs';
import { ConfigError, Registries } from '@zls/core';
import { resizeLabelsNearest, selectBackend } from '@zls/backend';
import { registerModelComponents } from '../register-model-components';
import { randomClasses } from '../testing/class-embeddings';
import { arr, naiveConv, naiveResize, type Arr } from '../testing/naive';
import { buildSegmentationModel, type SegmentationModelConfig } from './build-segmentation-model';
import { maskedCrossEntropy } from './losses';
import { resolveMultiScale, scaledSize } from './multi-scale';
import type { SegmentationNet } from './segmentation-net';

// SPNet's multi-scale training (method.md §4.1; the reference's msc.py and train.py) against a float64
// computation written from the definitions: bilinear half-pixel resizes of the input to floor(size · scale),
// each scale's scores on its own grid, the smaller scales' scores resized (half-pixel) to the scale-1 grid for
// the element-wise max, labels resized with OpenCV's INTER_NEAREST to each grid, one masked mean CE per term.
beforeAll(async () => {
  await selectBackend('wasm-ort');
});

const CLASSES = randomClasses(5, 4, 7);
const SIZE = 21; // 21 · 0.5 = 10.5 → 10 and 21 · 0.75 = 15.75 → 15: the rounding matters

/** A tiny net with frozen batch norm (inference-mode affine), so the float64 replica is a few loops. */
const tinyConfig = (multiScale?: SegmentationModelConfig['multiScale']): SegmentationModelConfig => ({
  backbone: { type: 'synthetic-net', width: 2, frozenBn: true, seed: 3 },
  head: { type: 'aspp-lite-projection', dilations: [1, 2], embeddingDim: 4, frozenBn: true, seed: 4 },
  multiScale,
});

function build(config: SegmentationModelConfig): SegmentationNet {
  const r = new Registries();
  registerModelComponents(r);
  const net = buildSegmentationModel(r, config, CLASSES);
  // Batch-norm statistics and affine parameters away from the identity, so the replica must apply them.
  let k = 0;
  for (const [name, v] of net.namedVariables()) {
    if (!name.includes('.bn.')) continue;
    const noise = tf.randomUniform(v.shape, 0, 1, 'float32', 100 + k++);
    tf.tidy(() => v.assign(name.endsWith('running_var') ? tf.add(noise, 0.5) : name.endsWith('weight') ? tf.add(noise, 0.5) : tf.sub(noise, 0.5)));
    noise.dispose();
  }
  return net;
}

/** The net's parameters as float64 arrays by name. */
function params(net: SegmentationNet): (name: string) => Arr {
  const vars = net.namedVariables();
  return (name) => {
    const v = vars.get(name);
    if (!v) throw new Error(`no variable ${name}; the net has ${[...vars.keys()].join(', ')}`);
    return arr(v.dataSync(), v.shape);
  };
}

function naiveBnRelu(x: Arr, p: (n: string) => Arr, prefix: string): Arr {
  const c = x.shape[3];
  const [g, b, m, v] = ['weight', 'bias', 'running_mean', 'running_var'].map((k) => p(`${prefix}.bn.${k}`).data);
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    const ch = i % c;
    out[i] = Math.max(0, ((x.data[i] - m[ch]) / Math.sqrt(v[ch] + 1e-5)) * g[ch] + b[ch]);
  }
  return { data: out, shape: x.shape };
}

function concatChannels(parts: Arr[]): Arr {
  const [n, h, w] = parts[0].shape;
  const total = parts.reduce((s, a) => s + a.shape[3], 0);
  const out = new Float64Array(n * h * w * total);
  for (let px = 0; px < n * h * w; px++) {
    let o = 0;
    for (const a of parts) {
      const c = a.shape[3];
      for (let k = 0; k < c; k++) out[px * total + o + k] = a.data[px * c + k];
      o += c;
    }
  }
  return { data: out, shape: [n, h, w, total] };
}

/** synthetic-net (frozen BN) → ASPP-lite (dilations 1, 2) → projection → scores against the class embeddings. */
function naiveScores(x: Arr, p: (n: string) => Arr, classes: readonly number[]): Arr {
  let y = x;
  [2, 1, 2, 1].forEach((stride, i) => (y = naiveBnRelu(naiveConv(y, p(`backbone.conv${i + 1}.conv.weight`), null, stride, 1, 1), p, `backbone.conv${i + 1}`)));
  const branches = [1, 2].map((d, i) => naiveBnRelu(naiveConv(y, p(`head.branch${i}.conv.weight`), null, 1, d, d), p, `head.branch${i}`));
  const fused = naiveBnRelu(naiveConv(concatChannels(branches), p('head.fuse.conv.weight'), null, 1, 1, 0), p, 'head.fuse');
  const feats = naiveConv(fused, p('head.project.weight'), p('head.project.bias').data, 1, 1, 0);
  const [n, h, w, d] = feats.shape;
  const out = new Float64Array(n * h * w * classes.length);
  for (let px = 0; px < n * h * w; px++)
    classes.forEach((c, k) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += feats.data[px * d + j] * CLASSES.embeddings[c * d + j];
      out[px * classes.length + k] = s;
    });
  return { data: out, shape: [n, h, w, classes.length] };
}

/** OpenCV INTER_NEAREST (cv::resize → resizeNN): source index floor(i · (1 / (dst / src))), clamped. */
function cv2Nearest(labels: Int32Array, [n, h, w]: number[], oh: number, ow: number): Int32Array {
  const out = new Int32Array(n * oh * ow);
  const fy = oh / h;
  const fx = ow / w;
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        const sy = Math.min(Math.floor(i * (1 / fy)), h - 1);
        const sx = Math.min(Math.floor(j * (1 / fx)), w - 1);
        out[(b * oh + i) * ow + j] = labels[(b * h + sy) * w + sx];
      }
  return out;
}

/** Mean CE over labels ≠ 255 (0 when none), in float64. */
function naiveCe(scores: Arr, labels: Int32Array): number {
  const k = scores.shape[3];
  let sum = 0;
  let count = 0;
  for (let px = 0; px < labels.length; px++) {
    if (labels[px] === 255) continue;
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, scores.data[px * k + c]);
    let z = 0;
    for (let c = 0; c < k; c++) z += Math.exp(scores.data[px * k + c] - max);
    sum -= scores.data[px * k + labels[px]] - max - Math.log(z);
    count++;
  }
  return count ? sum / count : 0;
}

function elementwiseMax(parts: Arr[]): Arr {
  const out = Float64Array.from(parts[0].data);
  for (const p of parts.slice(1)) for (let i = 0; i < out.length; i++) out[i] = Math.max(out[i], p.data[i]);
  return { data: out, shape: parts[0].shape };
}

/** The reference's MSC outputs in float64: each scale's scores on its own grid, then their max on scale 1's. */
function naiveMultiScale(x: Arr, p: (n: string) => Arr, classes: readonly number[], scales: readonly number[]): Arr[] {
  const [, h, w] = x.shape;
  // Python's int(size * scale) on the float64 product.
  const branches = scales.map((s) => naiveScores(s === 1 ? x : naiveResize(x, Math.trunc(h * s), Math.trunc(w * s)), p, classes));
  const base = branches[scales.indexOf(1)];
  const [, gh, gw] = base.shape;
  return [...branches, elementwiseMax(branches.map((b, i) => (scales[i] === 1 ? b : naiveResize(b, gh, gw))))];
}

function inputs(seed: number): { x: tf.Tensor4D; labels: Int32Array } {
  const x = tf.randomNormal([2, SIZE, SIZE, 3], 0, 1, 'float32', seed) as tf.Tensor4D;
  const labels = Int32Array.from({ length: 2 * SIZE * SIZE }, (_, i) => ((i * 7 + seed) % 5 === 0 ? 255 : [0, 2, 3][(i * 13 + (i >> 3)) % 3]));
  return { x, labels };
}

describe('SPNet multi-scale training (MSC) against float64', () => {
  const scales = [1, 0.5, 0.75];
  const classes = [0, 2, 3];

  it('scores each scale on its own grid and the max on the scale-1 grid, as the reference does', () => {
    const net = build(tinyConfig({ scales }));
    const { x } = inputs(1);
    const outputs = net.multiScaleScores(x, true, classes) ?? [];
    const expected = naiveMultiScale(arr(x.dataSync(), x.shape), params(net), classes, scales);
    // 21 px → grid 6; 10 px → 3; 15 px → 4 (stride 4 with pad-1 3×3 convolutions); the max on the 6×6 grid.
    expect(outputs.map((o) => o.shape)).toEqual([
      [2, 6, 6, 3],
      [2, 3, 3, 3],
      [2, 4, 4, 3],
      [2, 6, 6, 3],
    ]);
    outputs.forEach((o, i) => {
      expect(o.shape).toEqual(expected[i].shape);
      const got = o.dataSync();
      let worst = 0;
      for (let j = 0; j < got.length; j++) worst = Math.max(worst, Math.abs(got[j] - expected[i].data[j]) / Math.max(1, Math.abs(expected[i].data[j])));
      expect(worst).toBeLessThan(1e-4);
    });
    tf.dispose([x, ...outputs]);
    net.dispose();
  });

  it('the loss (four masked CE terms, labels nearest to each grid) matches float64 on both engines', async () => {
    const net = build(tinyConfig({ scales, max: true }));
    const { x, labels } = inputs(2);
    const p = params(net);
    const naive = naiveMultiScale(arr(x.dataSync(), x.shape), p, classes, scales);
    // Labels as class positions: the loss covers classes 0, 2, 3 in that order; 255 stays ignored.
    const positions = Int32Array.from(labels, (l) => (l === 255 ? 255 : classes.indexOf(l)));
    const terms = naive.map((s) => naiveCe(s, cv2Nearest(positions, [2, SIZE, SIZE], s.shape[1], s.shape[2])));
    const expected = terms.reduce((a, b) => a + b, 0);
    expect(terms).toHaveLength(4);
    terms.forEach((t) => expect(t).toBeGreaterThan(0.1));

    // tfjs: the model's outputs with the shared label resizing (OpenCV's rule) and the masked CE.
    const tfjsLoss = tf.tidy(() => {
      const outs = net.multiScaleScores(x, true, classes) ?? [];
      return tf.addN(outs.map((o) => maskedCrossEntropy(o, tf.tensor3d(resizeLabelsNearest(positions, [2, SIZE, SIZE], [o.shape[1], o.shape[2]]), [2, o.shape[1], o.shape[2]], 'int32'))));
    });
    expect(Math.abs(tfjsLoss.dataSync()[0] - expected) / expected).toBeLessThan(1e-5);
    tfjsLoss.dispose();

    // onnxruntime: a training graph's loss (computed before its update) with learning rate 0.
    const trainer = await net.graphTrainer({
      batchShape: [2, SIZE, SIZE, 3],
      classes,
      multiScale: true,
      slots: net.trainable().map((t) => ({ variable: t.variable, lrMultiplier: 1, weightDecay: 0 })),
      optimizer: { kind: 'sgd', momentum: 0.9 },
      executionProviders: ['cpu'],
      threads: 1,
    });
    if (!trainer) throw new Error('no graph trainer');
    const graphLoss = await trainer.step(x.dataSync() as Float32Array, Int32Array.from(positions, (l) => (l === 255 ? -1 : l)), 0);
    await trainer.dispose();
    expect(Math.abs(graphLoss - expected) / expected).toBeLessThan(1e-5);
    x.dispose();
    net.dispose();
  });

  it('without max: three terms; a single-scale request trains the plain loss', async () => {
    const net = build(tinyConfig({ scales, max: false }));
    const { x, labels } = inputs(3);
    const outs = net.multiScaleScores(x, true, classes) ?? [];
    expect(outs).toHaveLength(3);
    tf.dispose(outs);
    const positions = Int32Array.from(labels, (l) => (l === 255 ? -1 : classes.indexOf(l)));
    const single = tf.tidy(() => maskedCrossEntropy(net.forward(x, true, classes), tf.tensor3d(Int32Array.from(labels, (l) => (l === 255 ? 255 : classes.indexOf(l))), [2, SIZE, SIZE], 'int32')).dataSync()[0]);
    const trainer = await net.graphTrainer({
      batchShape: [2, SIZE, SIZE, 3],
      classes,
      slots: net.trainable().map((t) => ({ variable: t.variable, lrMultiplier: 1, weightDecay: 0 })),
      optimizer: { kind: 'sgd', momentum: 0.9 },
      executionProviders: ['cpu'],
      threads: 1,
    });
    if (!trainer) throw new Error('no graph trainer');
    expect(await trainer.step(x.dataSync() as Float32Array, positions, 0)).toBeCloseTo(single, 5);
    await trainer.dispose();
    x.dispose();
    net.dispose();
  });

  it('the test view is the max over the scales upsampled to the input, in tfjs and as one ONNX graph of any size', () => {
    const net = build(tinyConfig({ scales: [1, 0.3, 0.75] }));
    const view = net.multiScaleTestView();
    if (!view) throw new Error('no test view');
    const frozen = view.frozenView?.(1);
    if (!frozen) throw new Error('no frozen view');
    for (const [h, w] of [
      [SIZE, SIZE],
      [30, 17],
    ]) {
      const x = tf.randomNormal([1, h, w, 3], 0, 1, 'float32', h) as tf.Tensor4D;
      const [, , , max] = naiveMultiScale(arr(x.dataSync(), x.shape), params(net), classes, [1, 0.3, 0.75]);
      const expected = naiveResize(max, h, w).data;
      for (const m of [view, frozen]) {
        const got = m.forward(x, false, classes);
        expect(got.shape).toEqual([1, h, w, 3]);
        const data = got.dataSync();
        let worst = 0;
        for (let j = 0; j < data.length; j++) worst = Math.max(worst, Math.abs(data[j] - expected[j]) / Math.max(1, Math.abs(expected[j])));
        expect(worst).toBeLessThan(1e-4);
        got.dispose();
      }
      x.dispose();
    }
    frozen.dispose();
    view.dispose();
    // The view owns nothing: the net still scores.
    tf.tidy(() => expect(net.forward(tf.zeros([1, 9, 9, 3]), false).shape).toEqual([1, 9, 9, 5]));
    net.dispose();
    for (const other of [build(tinyConfig({ scales, test: 'single-scale' })), build(tinyConfig())]) {
      expect(other.multiScaleTestView()).toBeUndefined();
      other.dispose();
    }
  });
});

describe('multi-scale options', () => {
  it('rounds scaled sides down as the reference (321 → 160 and 240) and refuses an empty side', () => {
    expect([0.5, 0.75].map((s) => scaledSize(321, s))).toEqual([160, 240]);
    expect(scaledSize(65, 0.75)).toBe(48);
    expect(scaledSize(65, 1)).toBe(65);
    expect(() => scaledSize(3, 0.25)).toThrow(/no pixels left/);
  });

  it('defaults to the reference (scales 1, 0.5, 0.75, max, max-fused test); absent means single-scale', () => {
    expect(resolveMultiScale({})).toEqual({ scales: [1, 0.5, 0.75], max: true, test: 'max' });
    expect(resolveMultiScale(undefined)).toBeUndefined();
    const single = build(tinyConfig());
    expect(single.multiScale).toBeUndefined();
    single.dispose();
  });

  it('refuses scales without 1, non-positive or repeated ones, and wrong types, naming the key', () => {
    const message = (config: object) => {
      try {
        resolveMultiScale(config);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).message;
      }
      return 'accepted';
    };
    expect(message({ scales: [0.5, 0.75] })).toMatch(/model\.multiScale\.scales: must contain 1/);
    expect(message({ scales: [1, 0, 0.5] })).toMatch(/model\.multiScale\.scales: each value must be a positive number/);
    expect(message({ scales: [1, -0.5] })).toMatch(/positive/);
    expect(message({ scales: [1, 0.5, 0.5] })).toMatch(/unique/);
    expect(message({ scales: [] })).toMatch(/non-empty/);
    expect(message({ max: 'yes' })).toMatch(/model\.multiScale\.max: must be a boolean/);
    expect(message({ test: 'mean' })).toMatch(/model\.multiScale\.test: must be one of/);
    const r = new Registries();
    registerModelComponents(r);
    expect(() => buildSegmentationModel(r, tinyConfig({ scales: [0.5] }), CLASSES)).toThrow(ConfigError);
  });
});
