import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@zls/backend';
import { ConfigError, Registries, SeededRng, type ClassSpace, type TrainingBatch } from '@zls/core';
import { buildSegmentationModel } from '../model/build-segmentation-model';
import { LinearScorer } from '../model/scorers';
import { registerModelComponents } from '../register-model-components';
import { FeaturePool } from './feature-pool';
import { classifierSteps, GmmnFeatureGenerationStage } from './feature-generation-stage';
import { GmmnGenerator } from './gmmn-generator';

beforeAll(async () => {
  await selectBackend('wasm-ort');
});

/** Four classes (3 unseen), each a quadrant of a distinct colour; embeddings are one-hot-ish. */
const classSpace = {
  name: 'quadrants',
  numClasses: 4,
  seenIndices: [0, 1, 2],
  unseenIndices: [3],
  embeddingDim: 6,
  embeddings: Float32Array.from({ length: 24 }, (_, i) => (i % 6 === Math.floor(i / 6) ? 1 : i % 6 === 5 ? 0.3 : 0)),
} as unknown as ClassSpace;

const modelConfig = {
  backbone: { type: 'synthetic-net', width: 4 },
  head: { type: 'aspp-lite-projection', dilations: [1, 2], embeddingDim: 8 },
  seed: 1,
};

async function* batches(): AsyncGenerator<TrainingBatch> {
  const colours = [[1, -1, -1], [-1, 1, -1], [-1, -1, 1], [1, 1, -1]];
  for (let b = 0; b < 2; b++) {
    const n = 4;
    const size = 16;
    const images = new Float32Array(n * size * size * 3);
    const target = new Uint8Array(size * size);
    const hidden = new Uint8Array(size * size);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const c = (y < 8 ? 0 : 2) + (x < 8 ? 0 : 1);
        hidden[y * size + x] = c;
        target[y * size + x] = c === 3 ? 255 : c;
        for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) images[((i * size + y) * size + x) * 3 + k] = colours[c][k] * (0.8 + 0.1 * i);
      }
    const map = (data: Uint8Array) => Array.from({ length: n }, () => ({ data, height: size, width: size }));
    yield { ids: ['a', 'b', 'c', 'd'].map((s) => `${s}${b}`), images, shape: [n, size, size, 3], targets: map(target), hidden: map(hidden) };
  }
}

describe('FeaturePool', () => {
  it('keeps a uniform reservoir sample of at most `capacity` features per class', () => {
    const pool = new FeaturePool(1, 200, new SeededRng(1));
    for (let i = 0; i < 20_000; i++) pool.add(i % 2, Float32Array.of(i));
    expect(pool.classes()).toEqual([0, 1]);
    expect(pool.size(0)).toBe(200);
    // A uniform sample of 0..19 998 has mean ≈ 10 000 (std of the mean of 200 draws ≈ 410).
    const kept = Array.from(pool.sample(0, 4000).dataSync());
    const mean = kept.reduce((a, b) => a + b, 0) / kept.length;
    expect(Math.abs(mean - 10_000)).toBeLessThan(1500);
    expect(() => pool.sample(7, 1)).toThrow(/no pixel of class 7/);
  });
});

describe("ZS3Net's generative stage", () => {
  const registries = new Registries();
  registerModelComponents(registries);
  const generator = (overrides: Record<string, unknown> = {}) =>
    new GmmnGenerator({ embeddingDim: 6, noiseDim: 6, hiddenDim: 32, featureDim: 8, seed: 3, ...overrides } as never);
  const options = { pixelsPerClass: 32, generatorIterations: 60, classifierIterations: 80, generatorLr: 0.01, classifierLr: 0.05, poolPerClass: 256 };

  it('trains the generator (MMD falls), retrains the classifier, and then unseen features score as unseen', async () => {
    const model = buildSegmentationModel(registries, { ...modelConfig, classifier: 'linear' }, classSpace);
    const before = (model.scorer as LinearScorer).conv.weight.dataSync().slice();
    const g = generator(options);
    const log: Record<string, unknown>[] = [];
    await new GmmnFeatureGenerationStage(g).run(model, batches(), { classSpace, seed: 0, log: (r) => log.push(r) });

    const generatorLoss = log.filter((r) => r['stage'] === 'zs3-generator').map((r) => r['loss'] as number);
    const classifierLoss = log.filter((r) => r['stage'] === 'zs3-classifier').map((r) => r['loss'] as number);
    expect(generatorLoss).toHaveLength(60);
    expect(classifierLoss).toHaveLength(80);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(generatorLoss.slice(-10))).toBeLessThan(mean(generatorLoss.slice(0, 10)));
    expect(mean(classifierLoss.slice(-10))).toBeLessThan(mean(classifierLoss.slice(0, 10)));
    expect((model.scorer as LinearScorer).conv.weight.dataSync()).not.toEqual(before);

    // Generated features of the unseen class are classified as that class by the retrained classifier.
    const embeddings = tf.tensor2d(classSpace.embeddings, [4, 6]);
    const { features } = g.generate(embeddings, [3], 64);
    const scores = (model.scorer as LinearScorer).scores(features.reshape([1, 64, 1, 8]) as tf.Tensor4D, [0, 1, 2, 3]);
    const predicted = Array.from(tf.argMax(scores, 3).dataSync());
    expect(predicted.filter((c) => c === 3).length).toBeGreaterThan(48);
    model.dispose();
  }, 60_000);

  it('on the training-graph engine (context.graphs): deterministic for a seed, and stepping as the tfjs path does', async () => {
    const runStage = async (graphs?: { executionProviders: string[]; threads: number }) => {
      const model = buildSegmentationModel(registries, { ...modelConfig, classifier: 'linear' }, classSpace);
      const log: Record<string, unknown>[] = [];
      await new GmmnFeatureGenerationStage(generator({ ...options, generatorIterations: 30, classifierIterations: 30 })).run(model, batches(), { classSpace, seed: 0, log: (r) => log.push(r), graphs });
      const weight = Array.from((model.scorer as LinearScorer).conv.weight.dataSync());
      model.dispose();
      return { losses: log.map((r) => r['loss'] as number), weight };
    };
    const graphs = { executionProviders: ['cpu'], threads: 1 };
    const [a, b, t] = [await runStage(graphs), await runStage(graphs), await runStage()];
    expect(b.losses).toEqual(a.losses);
    expect(b.weight).toEqual(a.weight);
    // Same data, noise and dropout masks on both engines: the curves differ by float32 round-off only.
    expect(a.losses).toHaveLength(60);
    a.losses.forEach((l, i) => expect(Math.abs(l - t.losses[i]) / Math.abs(t.losses[i])).toBeLessThan(1e-2));
  }, 60_000);

  it("takes ZS3Net's epoch schedule for the classifier: epochs × the images it pooled from / images per batch", async () => {
    expect(classifierSteps({ classifierEpochs: 0, classifierBatchImages: 8, classifierIterations: 80 }, 10_582)).toBe(80);
    // VOC's train_aug at ZS3Net's 30 epochs of batch 8, and Context's 4 998 images at 20.
    expect(classifierSteps({ classifierEpochs: 30, classifierBatchImages: 8, classifierIterations: 80 }, 10_582)).toBe(39_683);
    expect(classifierSteps({ classifierEpochs: 20, classifierBatchImages: 8, classifierIterations: 80 }, 4_998)).toBe(12_495);
    const model = buildSegmentationModel(registries, { ...modelConfig, classifier: 'linear' }, classSpace);
    const log: Record<string, unknown>[] = [];
    // The fixture's pass holds 8 images: 2.5 epochs at 3 images per batch are ceil(20 / 3) = 7 steps.
    const stage = new GmmnFeatureGenerationStage(generator({ ...options, generatorIterations: 2, classifierEpochs: 2.5, classifierBatchImages: 3 }));
    await stage.run(model, batches(), { classSpace, seed: 0, log: (r) => log.push(r) });
    expect(log.filter((r) => r['stage'] === 'zs3-classifier')).toHaveLength(7);
    model.dispose();
  });

  it('refuses a model without a learnt classifier, mismatched sizes and the unseen-mask switch, naming the key', async () => {
    const spnet = buildSegmentationModel(registries, { ...modelConfig, classifier: 'embeddings', head: { ...modelConfig.head, embeddingDim: 6 } }, classSpace);
    await expect(new GmmnFeatureGenerationStage(generator()).run(spnet, batches(), { classSpace, seed: 0 })).rejects.toThrow(/model\.classifier: .*set model\.classifier: linear/);
    const linear = buildSegmentationModel(registries, { ...modelConfig, classifier: 'linear' }, classSpace);
    await expect(new GmmnFeatureGenerationStage(generator({ featureDim: 5 })).run(linear, batches(), { classSpace, seed: 0 })).rejects.toThrow(
      /generative\.featureDim: is 5, the network's features are 8-d/,
    );
    await expect(new GmmnFeatureGenerationStage(generator({ useUnseenGroundTruthMasks: true })).run(linear, batches(), { classSpace, seed: 0 })).rejects.toThrow(ConfigError);
    spnet.dispose();
    linear.dispose();
  });
});
