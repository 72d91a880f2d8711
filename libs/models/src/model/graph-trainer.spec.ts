import * as tf from '@tensorflow/tfjs';
import { Registries } from '@zls/core';
import { resizeLabelsNearest, selectBackend } from '@zls/backend';
import { registerModelComponents } from '../register-model-components';
import { randomClasses } from '../testing/class-embeddings';
import { buildSegmentationModel, type SegmentationModelConfig } from './build-segmentation-model';
import { maskedCrossEntropy } from './losses';
import type { SegmentationNet } from './segmentation-net';

// The tfjs side is the reference path (wasm-ort kernels, tfjs autodiff); the graph side is one onnxruntime
// graph per step. Both start from identical weights and take the same batches.
beforeAll(async () => {
  await selectBackend('wasm-ort');
});

function build(config: SegmentationModelConfig): SegmentationNet {
  const r = new Registries();
  registerModelComponents(r);
  return buildSegmentationModel(r, config, randomClasses(5, 8, 5));
}

const families: [string, SegmentationModelConfig, number][] = [
  ['the main job net: synthetic-net + ASPP-lite projection, corner-aligned', { backbone: { type: 'synthetic-net', width: 4 }, head: { type: 'aspp-lite-projection', dilations: [1, 2, 4], embeddingDim: 8 }, classifier: 'embeddings', upsampling: 'align-corners' }, 33],
  ['DeepLab-v2 ResNet (Caffe stem, OS 8, frozen BN) + ASPP-v2 projection', { backbone: { type: 'resnet', depth: 18, baseWidth: 4, outputStride: 8 }, head: { type: 'aspp-v2-projection', embeddingDim: 8 } }, 33],
  ['ResNet (OS 16, training BN) + DeepLabv3+ + learnt classifier', { backbone: { type: 'resnet', depth: 18, baseWidth: 4, outputStride: 16, caffeStem: false, frozenBn: false }, head: { type: 'deeplabv3plus', channels: 8, lowLevelReduced: 4 }, classifier: 'linear' }, 32],
];

type Loss = (model: SegmentationNet, x: tf.Tensor4D, labels: tf.Tensor3D, classes: number[]) => tf.Scalar;

const singleScaleLoss: Loss = (model, x, labels, classes) => maskedCrossEntropy(model.forward(x, true, classes), labels);

/** SPNet's multi-scale loss on the tfjs side: one masked CE per output, labels resized nearest to its grid. */
const multiScaleLoss: Loss = (model, x, labels, classes) => {
  const outputs = model.multiScaleScores(x, true, classes);
  if (!outputs) throw new Error('not a multi-scale net');
  const [n, h, w] = labels.shape;
  const data = labels.dataSync() as Int32Array;
  const terms = outputs.map((o) => {
    const [, oh, ow] = o.shape;
    return maskedCrossEntropy(o, tf.tensor3d(resizeLabelsNearest(data, [n, h, w], [oh, ow]), [n, oh, ow], 'int32'));
  });
  return tf.addN(terms) as tf.Scalar;
};

/** PyTorch's SGD rule with coupled decay, as libs/engine/src/optim/sgd.ts applies it. */
function tfjsSgdSteps(model: SegmentationNet, batches: { x: tf.Tensor4D; labels: tf.Tensor3D }[], classes: number[], lr: number, loss: Loss = singleScaleLoss): number[] {
  const vars = model.trainable().map((t) => t.variable);
  const buffers = vars.map((v) => tf.variable(tf.zerosLike(v), false));
  const losses: number[] = [];
  for (const { x, labels } of batches) {
    const { value, grads } = tf.variableGrads(() => loss(model, x, labels, classes), vars);
    losses.push(value.dataSync()[0]);
    tf.tidy(() =>
      vars.forEach((v, i) => {
        const g = tf.add(grads[v.name], tf.mul(v, 1e-3));
        buffers[i].assign(tf.add(tf.mul(buffers[i], 0.9), g));
        v.assign(tf.sub(v, tf.mul(buffers[i], lr)));
      }),
    );
    tf.dispose([value, grads]);
  }
  tf.dispose(buffers);
  return losses;
}

/**
 * Trains two copies of `config` for `steps` SGD steps, one through tfjs autodiff and one as training graphs,
 * and compares the losses and every weight and batch-norm statistic afterwards.
 */
async function compareEngines(config: SegmentationModelConfig, size: number, steps: number, multiScale: boolean): Promise<number[]> {
  const reference = build(config);
  const graphNet = build(config);
  const classes = [0, 2, 3];
  const batches = [1, 2].slice(0, steps).map((seed) => ({
    x: tf.randomNormal([2, size, size, 3], 0, 1, 'float32', seed) as tf.Tensor4D,
    labels: tf.tensor3d(Array.from({ length: 2 * size * size }, (_, i) => ((i * 7 + seed) % 11 === 0 ? 255 : (i >> 4) % 3)), [2, size, size], 'int32'),
  }));
  const lr = 0.05;
  const expectedLosses = tfjsSgdSteps(reference, batches, classes, lr, multiScale ? multiScaleLoss : singleScaleLoss);

  const trainer = await graphNet.graphTrainer({
    batchShape: [2, size, size, 3],
    classes,
    multiScale,
    slots: graphNet.trainable().map((t) => ({ variable: t.variable, lrMultiplier: 1, weightDecay: 1e-3 })),
    optimizer: { kind: 'sgd', momentum: 0.9 },
    executionProviders: ['cpu'],
    threads: 1,
  });
  if (!trainer) throw new Error('no graph trainer');
  const losses: number[] = [];
  for (const { x, labels } of batches) {
    const positions = Int32Array.from(labels.dataSync() as Int32Array, (l) => (l === 255 ? -1 : l));
    losses.push(await trainer.step(x.dataSync() as Float32Array, positions, lr));
  }
  trainer.writeBack();
  await trainer.dispose();
  losses.forEach((l, i) => expect(l).toBeCloseTo(expectedLosses[i], 4));
  const expected = reference.stateVariables();
  let worst = 0;
  let worstName = '';
  for (const [name, v] of Object.entries(graphNet.stateVariables())) {
    const a = v.dataSync() as Float32Array;
    const b = expected[name].dataSync() as Float32Array;
    let scale = 1e-3;
    let diff = 0;
    for (let i = 0; i < a.length; i++) {
      scale = Math.max(scale, Math.abs(b[i]));
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
    }
    if (diff / scale > worst) [worst, worstName] = [diff / scale, name];
  }
  // float32 round-off, amplified where training-mode BN normalises over 8 values (a 2×2 map at OS 16).
  expect({ within: worst < 1e-3, worst, worstName }).toEqual({ within: true, worst, worstName });
  for (const b of batches) tf.dispose([b.x, b.labels]);
  reference.dispose();
  graphNet.dispose();
  return expectedLosses;
}

describe.each(families)('graph trainer: %s', (_name, config, size) => {
  it('two SGD steps match the tfjs path (loss, every weight and batch-norm statistic)', async () => {
    await compareEngines(config, size, 2, false);
  });
});

// SPNet's multi-scale training (scales 1, 0.5, 0.75 and their max: four cross-entropy terms). The graph gets
// the scaled inputs as Resize ops and the branches share their initializers; training-mode batch norm updates
// its running statistics once per branch, in branch order, on both engines.
describe.each(families)('graph trainer, multi-scale: %s', (_name, config, size) => {
  it('one SGD step matches the tfjs path (loss, every weight and batch-norm statistic) and differs from single-scale', async () => {
    const multi = { ...config, multiScale: { scales: [1, 0.5, 0.75], max: true } };
    const [loss] = await compareEngines(multi, size, 1, true);
    const [single] = await compareEngines(config, size, 1, false);
    // Four terms of about one single-scale loss each: the graph must not have trained one term only.
    expect(loss).toBeGreaterThan(2.5 * single);
  });
});

describe('graph trainer memory', () => {
  it('stays flat over 500 steps (resident memory and tfjs tensors)', async () => {
    const net = build(families[0][1]);
    const size = 33;
    const trainer = await net.graphTrainer({
      batchShape: [2, size, size, 3],
      classes: [0, 1, 2],
      slots: net.trainable().map((t) => ({ variable: t.variable, lrMultiplier: 1, weightDecay: 1e-4 })),
      optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
      executionProviders: ['cpu'],
      threads: 1,
    });
    if (!trainer) throw new Error('no graph trainer');
    const images = Float32Array.from({ length: 2 * size * size * 3 }, (_, i) => Math.sin(i));
    const positions = Int32Array.from({ length: 2 * size * size }, (_, i) => (i % 9 === 0 ? -1 : i % 3));
    for (let i = 0; i < 100; i++) await trainer.step(images, positions, 1e-3);
    trainer.writeBack();
    const tensors = tf.memory().numTensors;
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 500; i++) {
      await trainer.step(images, positions, 1e-3);
      if (i % 100 === 99) trainer.writeBack();
    }
    const grown = (process.memoryUsage().rss - before) / 2 ** 20;
    expect(tf.memory().numTensors).toBe(tensors);
    // A per-step leak of even the batch (25 KB) would add > 12 MB; parameters and state are ~10 KB.
    expect(grown).toBeLessThan(12);
    await trainer.dispose();
    net.dispose();
    // 600 small steps: about 4 s on an idle 2-core machine, so a generous limit for a loaded one.
  }, 60_000);
});
