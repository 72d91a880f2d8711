import * as tf from '@tensorflow/tfjs';
import { registerZlsGradients } from '@zls/backend';
import { BatchNorm2d } from './batch-norm';
import { Conv2d } from './conv2d';
import { ConvBnRelu } from './conv-bn-relu';
import { MaxPool2d } from './pooling';
import { Sequential } from './sequential';
import { buildNhwcGraph, runNhwcGraph } from '../testing/nhwc-graph';
import { onnxOps } from '../onnx/onnx-ops';
import { arr, maxAbsDiff, naiveConv, naiveMaxPool, naiveResize } from '../testing/naive';
import type { Layer } from './layer';

/** ReLU as a plain (non-Module) layer, to check that Sequential chains those too. */
const reluLayer: Layer = {
  apply: (x) => tf.relu(x),
  toOnnx: (g, x) => g.op('Relu', [x]),
};

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerZlsGradients();
});

const rand = (shape: [number, number, number, number], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed) as tf.Tensor4D;

async function onnxOf(layer: Layer, x: tf.Tensor4D): Promise<Float32Array> {
  const bytes = buildNhwcGraph('layer', ['N', x.shape[1], x.shape[2], x.shape[3]], (g, input) => ({ y: layer.toOnnx(g, input) }));
  return (await runNhwcGraph(bytes, x)).y.data;
}

describe('Conv2d', () => {
  it.each([
    [1, 1, 3],
    [2, 1, 3],
    [1, 3, 3],
    [1, 1, 1],
  ])('matches a float64 convolution and ONNX (stride %i, dilation %i, kernel %i)', async (stride, dilation, kernel) => {
    const conv = new Conv2d({ inChannels: 3, outChannels: 4, kernel, stride, dilation, seed: 3 });
    conv.bias?.assign(tf.tensor1d([0.1, -0.2, 0.3, 0.4]));
    const x = rand([2, 9, 7, 3], 1);
    const y = conv.apply(x);
    const ref = naiveConv(arr(x.dataSync(), x.shape), arr(conv.weight.dataSync(), conv.weight.shape), [0.1, -0.2, 0.3, 0.4], stride, dilation, conv.padding);
    expect(y.shape).toEqual(ref.shape);
    expect(maxAbsDiff(y.dataSync(), ref.data)).toBeLessThan(1e-4);
    expect(maxAbsDiff(await onnxOf(conv, x), y.dataSync())).toBeLessThan(1e-4);
    tf.dispose([x, y]);
    conv.dispose();
  });

  it('rejects stride and dilation together and a non-integer padding', () => {
    expect(() => new Conv2d({ inChannels: 1, outChannels: 1, kernel: 3, stride: 2, dilation: 2 })).toThrow(/not both/);
    expect(() => new Conv2d({ inChannels: 1, outChannels: 1, kernel: 2 })).toThrow(/padding 0.5/);
  });
});

describe('BatchNorm2d', () => {
  const channels = 3;
  const x = () => tf.add(tf.mul(rand([4, 3, 5, channels], 7), tf.tensor1d([1, 2, 3])), tf.tensor1d([0.5, -1, 2])) as tf.Tensor4D;

  function batchStats(data: Float32Array): { mean: number[]; biased: number[]; unbiased: number[] } {
    const count = data.length / channels;
    const mean = [0, 0, 0];
    const sq = [0, 0, 0];
    data.forEach((v, i) => (mean[i % channels] += v / count));
    data.forEach((v, i) => (sq[i % channels] += (v - mean[i % channels]) ** 2));
    return { mean, biased: sq.map((s) => s / count), unbiased: sq.map((s) => s / (count - 1)) };
  }

  it('normalises with batch statistics in training and updates running stats as PyTorch does', () => {
    const bn = new BatchNorm2d(channels, { momentum: 0.1 });
    bn.weight.assign(tf.tensor1d([2, 1, 0.5]));
    bn.bias.assign(tf.tensor1d([0, 1, -1]));
    const input = x();
    const data = input.dataSync() as Float32Array;
    const s = batchStats(data);
    const y = bn.apply(input, true).dataSync();
    const gamma = [2, 1, 0.5];
    const beta = [0, 1, -1];
    const expected = Array.from(data, (v, i) => {
      const c = i % channels;
      return ((v - s.mean[c]) / Math.sqrt(s.biased[c] + 1e-5)) * gamma[c] + beta[c];
    });
    expect(maxAbsDiff(y, expected)).toBeLessThan(1e-4);
    expect(maxAbsDiff(bn.runningMean.dataSync(), s.mean.map((m) => 0.1 * m))).toBeLessThan(1e-5);
    expect(maxAbsDiff(bn.runningVar.dataSync(), s.unbiased.map((v) => 0.9 + 0.1 * v))).toBeLessThan(1e-5);
    input.dispose();
    bn.dispose();
  });

  it('uses running statistics in inference and frozen modes, frozen ones are not trainable, ONNX matches', async () => {
    const bn = new BatchNorm2d(channels, { frozen: true });
    bn.runningMean.assign(tf.tensor1d([1, 2, 3]));
    bn.runningVar.assign(tf.tensor1d([4, 0.25, 1]));
    const input = x();
    const data = input.dataSync();
    const y = bn.apply(input, true).dataSync();
    const expected = Array.from(data, (v, i) => (v - [1, 2, 3][i % 3]) / Math.sqrt([4, 0.25, 1][i % 3] + 1e-5));
    expect(maxAbsDiff(y, expected)).toBeLessThan(1e-4);
    expect(Array.from(bn.runningMean.dataSync())).toEqual([1, 2, 3]);
    expect(bn.trainableVariables()).toHaveLength(0);
    expect(maxAbsDiff(await onnxOf(bn, input), y)).toBeLessThan(1e-4);
    const live = new BatchNorm2d(channels);
    expect(live.trainableVariables()).toHaveLength(2);
    input.dispose();
    bn.dispose();
    live.dispose();
  });

  it('leaks no tensors in training mode and its gradient reaches γ and β', () => {
    const bn = new BatchNorm2d(channels);
    const input = x();
    bn.apply(input, true).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) bn.apply(input, true).dispose();
    expect(tf.memory().numTensors).toBe(before);
    const { grads, value } = tf.variableGrads(() => tf.sum(tf.mul(bn.apply(input, true), tf.tensor1d([1, 2, 3]))) as tf.Scalar, bn.trainableVariables());
    // d/dβ of Σ y·k is k·count; d/dγ is Σ x̂·k = 0 since x̂ has zero mean per channel.
    expect(maxAbsDiff(grads[bn.bias.name].dataSync(), [60, 120, 180])).toBeLessThan(1e-3);
    expect(maxAbsDiff(grads[bn.weight.name].dataSync(), [0, 0, 0])).toBeLessThan(1e-3);
    tf.dispose([grads, value, input]);
    bn.dispose();
  });
});

describe('pooling and resize', () => {
  it.each([
    [8, 1, true],
    [9, 1, true],
    [8, 0, false],
    [7, 0, true],
  ])('max pool 3×3/2 on size %i (padding %i, ceil %s) matches PyTorch semantics and ONNX', async (size, pad, ceil) => {
    const pool = new MaxPool2d(3, 2, pad, ceil);
    const x = rand([1, size, size + 1, 2], 5);
    const y = pool.apply(x);
    const ref = naiveMaxPool(arr(x.dataSync(), x.shape), 3, 2, pad, ceil);
    expect(y.shape).toEqual(ref.shape);
    expect(maxAbsDiff(y.dataSync(), ref.data)).toBe(0);
    expect(maxAbsDiff(await onnxOf(pool, x), y.dataSync())).toBe(0);
    tf.dispose([x, y]);
  });

  it('half-pixel bilinear resize (up and down) matches a float64 reference, in tfjs and ONNX', async () => {
    const x = rand([2, 5, 6, 3], 9);
    for (const [oh, ow] of [
      [20, 24],
      [3, 4],
      [7, 6],
    ]) {
      const y = tf.image.resizeBilinear(x, [oh, ow], false, true);
      const ref = naiveResize(arr(x.dataSync(), x.shape), oh, ow);
      expect(maxAbsDiff(y.dataSync(), ref.data)).toBeLessThan(1e-5);
      const bytes = buildNhwcGraph('resize', ['N', 5, 6, 3], (g, input) => ({ y: onnxOps.resizeTo(g, input, [oh, ow]) }));
      expect(maxAbsDiff((await runNhwcGraph(bytes, x)).y.data, ref.data)).toBeLessThan(1e-5);
      y.dispose();
    }
    x.dispose();
  });
});

describe('Sequential', () => {
  it('names modules by position, chains layers, and exports to the same numbers', async () => {
    const net = new Sequential([
      new ConvBnRelu({ inChannels: 3, outChannels: 4, kernel: 3, stride: 2, seed: 1 }),
      new Conv2d({ inChannels: 4, outChannels: 2, kernel: 3, dilation: 2, seed: 2 }),
      reluLayer,
    ]);
    expect([...net.namedVariables().keys()]).toEqual(['0.conv.weight', '0.bn.weight', '0.bn.bias', '0.bn.running_mean', '0.bn.running_var', '1.weight', '1.bias']);
    const x = rand([2, 8, 8, 3], 4);
    net.apply(x, true).dispose(); // moves the running statistics away from 0 / 1
    const y = net.apply(x, false);
    expect(y.shape).toEqual([2, 4, 4, 2]);
    expect(maxAbsDiff(await onnxOf(net, x), y.dataSync())).toBeLessThan(1e-4);
    tf.dispose([x, y]);
    net.dispose();
  });
});
