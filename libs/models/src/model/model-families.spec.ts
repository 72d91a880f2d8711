import * as tf from '@tensorflow/tfjs';
import { Registries } from '@zls/core';
import { OnnxInferenceSession, selectBackend } from '@zls/backend';
import { registerModelComponents } from '../register-model-components';
import { randomClasses } from '../testing/class-embeddings';
import { maxAbsDiff } from '../testing/naive';
import { buildSegmentationModel, type SegmentationModelConfig } from './build-segmentation-model';
import { maskedCrossEntropy } from './losses';
import type { SegmentationNet } from './segmentation-net';

// The training path the main job uses: tfjs wasm with convolutions, fused batch norm and loss in onnxruntime.
beforeAll(async () => {
  await selectBackend('wasm-ort');
});

function build(config: SegmentationModelConfig, numClasses: number, dim: number): SegmentationNet {
  const r = new Registries();
  registerModelComponents(r);
  return buildSegmentationModel(r, config, randomClasses(numClasses, dim, 5));
}

const families: [string, SegmentationModelConfig, number][] = [
  [
    'SPNet: DeepLab-v2 ResNet (Caffe stem, OS 8, frozen BN) + ASPP-v2 projection + fixed embeddings',
    { backbone: { type: 'resnet', depth: 18, baseWidth: 4, outputStride: 8 }, head: { type: 'aspp-v2-projection', embeddingDim: 8 } },
    33,
  ],
  [
    'ZS3Net: ResNet (OS 16) + DeepLabv3+ + learnt 1×1 classifier',
    { backbone: { type: 'resnet', depth: 18, baseWidth: 4, outputStride: 16, caffeStem: false, frozenBn: false }, head: { type: 'deeplabv3plus', channels: 8, lowLevelReduced: 4 }, classifier: 'linear' },
    32,
  ],
  [
    'DeepLabv3+ with a semantic projection',
    { backbone: { type: 'synthetic-net', width: 4 }, head: { type: 'deeplabv3plus', channels: 8, lowLevelReduced: 4, embeddingDim: 8, rates: [1, 2, 3] } },
    24,
  ],
];

describe.each(families)('%s', (_name, config, size) => {
  it('exports to ONNX matching the tfjs forward within 1e-4', async () => {
    const model = build(config, 5, 8);
    const x = tf.randomNormal([2, size, size, 3], 0, 1, 'float32', 12) as tf.Tensor4D;
    model.forward(x, true).dispose();
    const expected = model.forward(x, false);
    const session = await OnnxInferenceSession.create(model.toOnnx(), { threads: 1 });
    const out = (await session.run({ images: { data: x.dataSync() as Float32Array, dims: [...x.shape] } }))['scores'];
    await session.dispose();
    expect(out.dims).toEqual(expected.shape);
    expect(maxAbsDiff(out.data, expected.dataSync())).toBeLessThan(1e-4);
    tf.dispose([x, expected]);
    model.dispose();
  });

  it('reduces the cross-entropy on a fixed batch within a few Adam steps', () => {
    const model = build(config, 4, 8);
    // Two regions (left/right halves) that the input marks in its first channel, under noise.
    const half = Array.from({ length: size }, (_, j) => (j < size / 2 ? 0 : 1));
    const labels = tf.tensor3d(Array.from({ length: 2 * size * size }, (_, i) => half[i % size]), [2, size, size], 'int32');
    const x = tf.tidy(() => {
      const mark = tf.mul(tf.sub(tf.cast(labels, 'float32'), 0.5), 2).expandDims(3);
      return tf.add(tf.mul(tf.randomNormal([2, size, size, 3], 0, 1, 'float32', 3), 0.5), tf.concat([mark, tf.zerosLike(mark), tf.zerosLike(mark)], 3)) as tf.Tensor4D;
    });
    const opt = tf.train.adam(0.01);
    const vars = model.trainable().map((t) => t.variable);
    const losses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const loss = opt.minimize(() => maskedCrossEntropy(model.forward(x, true, [0, 1]), labels), true, vars) as tf.Scalar;
      losses.push(loss.dataSync()[0]);
      loss.dispose();
    }
    expect(Math.min(...losses.slice(3))).toBeLessThan(losses[0] * 0.8);
    tf.dispose([x, labels]);
    opt.dispose();
    model.dispose();
  });
});
