import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@zls/backend';
import { normalValues } from '../layers/init';
import { DeepLabResNet, DeepLabResNetOptions } from './deeplab-resnet';

beforeAll(async () => {
  await selectBackend('wasm-ort');
});

function resnet(overrides: Partial<DeepLabResNetOptions>): DeepLabResNet {
  return new DeepLabResNet(Object.assign(new DeepLabResNetOptions(), { depth: 50, baseWidth: 4, outputStride: 8, seed: 3 }, overrides));
}

/** Caffe-BGR-like input: mean-subtracted pixels with a spread of about 60. */
function caffeScaleImages(): tf.Tensor4D {
  return tf.tensor4d(normalValues(2 * 33 * 33 * 3, 7, 60), [2, 33, 33, 3]);
}

function featureStd(net: DeepLabResNet, images: tf.Tensor4D): number {
  return tf.tidy(() => {
    const { variance } = tf.moments(net.apply(images, false).features);
    return Math.sqrt(variance.dataSync()[0]);
  });
}

describe('DeepLabResNet.initialiseUntrainedStatistics (random init, frozen batch norm)', () => {
  it('sets each frozen batch norm to the moments of its input, so the features come out normalised', () => {
    const net = resnet({});
    const images = caffeScaleImages();
    const before = featureStd(net, images);
    expect(net.initialiseUntrainedStatistics(images)).toBe(true);
    const after = featureStd(net, images);
    // 16 bottlenecks on ±60 input grow the identity-statistics network's features far beyond unit scale.
    expect(before).toBeGreaterThan(100);
    expect(after).toBeGreaterThan(0.1);
    expect(after).toBeLessThan(10);
    // The stem's statistics are the float64 moments of conv1's output on these images.
    const vars = net.namedVariables();
    const conv1 = tf.tidy(() => tf.conv2d(images, vars.get('conv1.weight') as tf.Tensor4D, 2, [[0, 0], [3, 3], [3, 3], [0, 0]]).arraySync() as number[][][][]);
    const channel0 = conv1.flat(2).map((px) => px[0]);
    const mean = channel0.reduce((a, v) => a + v, 0) / channel0.length;
    const variance = channel0.reduce((a, v) => a + (v - mean) ** 2, 0) / channel0.length;
    expect((vars.get('bn1.running_mean') as tf.Variable).dataSync()[0]).toBeCloseTo(mean, 1);
    expect((vars.get('bn1.running_var') as tf.Variable).dataSync()[0] / variance).toBeCloseTo(1, 3);
    // Once only: a second call (a resumed stage, a student) keeps them.
    expect(net.initialiseUntrainedStatistics(caffeScaleImages())).toBe(false);
    net.dispose();
  });

  it('does nothing when batch norm trains (its statistics come from every batch anyway)', () => {
    const net = resnet({ frozenBn: false, caffeStem: false });
    expect(net.initialiseUntrainedStatistics(caffeScaleImages())).toBe(false);
    expect((net.namedVariables().get('bn1.running_var') as tf.Variable).dataSync()[0]).toBe(1);
    net.dispose();
  });
});
