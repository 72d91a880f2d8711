import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@zls/backend';
import { LinearScorer } from '../model/scorers';
import { buildRetrainingBatch, classifierLoss } from './classifier-retraining';
import { GmmnGenerator, GmmnGeneratorOptions } from './gmmn-generator';
import { Registries } from '@zls/core';
import { registerModelComponents } from '../register-model-components';
import { mmdLoss, ZS3_MMD_SIGMAS } from './mmd-loss';
import { nearestLabels, sampleClassFeatures } from './class-feature-sampling';

// The backend the main job trains on: tfjs wasm with the heavy kernels in onnxruntime.
beforeAll(async () => {
  await selectBackend('wasm-ort');
});

function naiveMmd(x: number[][], y: number[][], sigmas: readonly number[]): number {
  const k = (a: number[], b: number[]) => sigmas.reduce((s, sg) => s + Math.exp(-a.reduce((t, v, i) => t + (v - b[i]) ** 2, 0) / (2 * sg * sg)), 0);
  const mean = (p: number[][], q: number[][]) => p.reduce((s, a) => s + q.reduce((t, b) => t + k(a, b), 0), 0) / (p.length * q.length);
  return mean(x, x) + mean(y, y) - 2 * mean(x, y);
}

describe('MMD loss', () => {
  it('equals a float64 double sum over pairs, with several kernels', () => {
    const x = [
      [0, 1, 2],
      [1.5, -1, 0.5],
      [3, 3, -2],
    ];
    const y = [
      [0.5, 0, 1],
      [-2, 1, 4],
    ];
    const sigmas = [0.5, 2, 5];
    expect(mmdLoss(tf.tensor2d(x), tf.tensor2d(y), sigmas).dataSync()[0]).toBeCloseTo(naiveMmd(x, y, sigmas), 5);
    expect(mmdLoss(tf.tensor2d(x), tf.tensor2d(x)).dataSync()[0]).toBeCloseTo(0, 6);
    expect(ZS3_MMD_SIGMAS).toEqual([2, 5, 10, 20, 40, 80]);
  });
});

describe('GMMN generator', () => {
  const options = { embeddingDim: 4, noiseDim: 4, hiddenDim: 16, featureDim: 3, seed: 2 };

  it('maps embedding ⊕ noise through LeakyReLU(0.2) to features, dropout only in training', () => {
    const g = new GmmnGenerator(options);
    const e = tf.tensor2d([[1, 0, 0, 0]]);
    const z = tf.tensor2d([[0.1, 0.2, 0.3, 0.4]]);
    const input = [1, 0, 0, 0, 0.1, 0.2, 0.3, 0.4];
    const w1 = g.fc1Weight.arraySync() as number[][];
    const w2 = g.fc2Weight.arraySync() as number[][];
    const h = w1[0].map((_, j) => input.reduce((s, v, i) => s + v * w1[i][j], 0)).map((v) => (v > 0 ? v : 0.2 * v));
    const expected = w2[0].map((_, k) => h.reduce((s, v, j) => s + v * w2[j][k], 0));
    const y = g.apply(e, z, false).dataSync();
    expected.forEach((v, k) => expect(y[k]).toBeCloseTo(v, 5));
    // Training mode drops units, so repeated calls differ; inference does not.
    expect(Array.from(g.apply(e, z, true).dataSync())).not.toEqual(Array.from(g.apply(e, z, true).dataSync()));
    expect(Array.from(g.apply(e, z, false).dataSync())).toEqual(Array.from(y));
    g.dispose();
  });

  it('learns to imitate per-class feature distributions: MMD falls under Adam', () => {
    const g = new GmmnGenerator({ ...options, dropout: 0 });
    const emb = tf.tensor2d([
      [1, 0, 0, 0],
      [0, 1, 0, 0],
    ]);
    // Real features of class c cluster around centre c.
    const centres = [
      [2, 0, 1],
      [-1, 3, 0],
    ];
    const real = (c: number) => tf.add(tf.tensor1d(centres[c]), tf.randomNormal([32, 3], 0, 0.3, 'float32', 10 + c)) as tf.Tensor2D;
    const reals = [real(0), real(1)];
    const opt = tf.train.adam(0.01);
    const loss = () =>
      tf.addN([0, 1].map((c) => mmdLoss(g.apply(tf.tile(emb.slice([c, 0], [1, 4]), [32, 1]) as tf.Tensor2D, g.noise(32), true), reals[c], [0.5, 1, 2]))) as tf.Scalar;
    const first = loss().dataSync()[0];
    for (let i = 0; i < 60; i++) opt.minimize(loss, false, g.trainableVariables());
    expect(loss().dataSync()[0]).toBeLessThan(first * 0.5);
    g.dispose();
  });
});

describe('classifier retraining', () => {
  let classEmbeddings: tf.Tensor2D;
  let real: tf.Tensor2D;
  beforeAll(() => {
    classEmbeddings = tf.tensor2d([
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
    ]);
    real = tf.tensor2d([
      [1, 0, 0],
      [0.9, 0.1, 0],
      [0, 1, 0],
      [0, 0, 1],
      [0, 0.9, 0],
    ]);
  });
  const seen = Int32Array.from([0, 0, 1, 255, 1]);
  const hidden = Int32Array.from([0, 0, 1, 2, 1]);

  it('by default generates a fixed count per unseen class without reading unseen labels', () => {
    const g = new GmmnGenerator({ embeddingDim: 4, noiseDim: 2, hiddenDim: 8, featureDim: 3 });
    const batch = buildRetrainingBatch(g, real, seen, { unseenClasses: [2], classEmbeddings }, hidden);
    // Real: the 4 labelled pixels; generated: the mean per seen class (2) for class 2.
    expect(Array.from(batch.labels.dataSync())).toEqual([0, 0, 1, 1, 2, 2]);
    expect(batch.features.shape).toEqual([6, 3]);
    g.dispose();
  });

  it('with the ZS3Net switch on, generates one feature per ground-truth unseen pixel and needs those labels', () => {
    const g = new GmmnGenerator({ embeddingDim: 4, noiseDim: 2, hiddenDim: 8, featureDim: 3 });
    const batch = buildRetrainingBatch(g, real, seen, { unseenClasses: [2], classEmbeddings, useUnseenGroundTruthMasks: true }, hidden);
    expect(Array.from(batch.labels.dataSync())).toEqual([0, 0, 1, 1, 2]);
    expect(() => buildRetrainingBatch(g, real, seen, { unseenClasses: [2], classEmbeddings, useUnseenGroundTruthMasks: true })).toThrow(/needs the ground-truth labels/);
    g.dispose();
  });

  it('weighs unseen classes in the loss and retraining a re-initialised classifier lowers it', () => {
    const g = new GmmnGenerator({ embeddingDim: 4, noiseDim: 2, hiddenDim: 8, featureDim: 3, seed: 4 });
    const classifier = new LinearScorer(3, 3, 1);
    const before = Array.from(classifier.conv.weight.dataSync());
    classifier.reinitialise(5);
    expect(Array.from(classifier.conv.weight.dataSync())).not.toEqual(before);
    const batch = buildRetrainingBatch(g, real, seen, { unseenClasses: [2], classEmbeddings, generatedPerClass: 3 });
    // Weighted CE against a float64 computation with weight 100 on class 2.
    const scores = (classifier.conv.apply(batch.features.reshape([1, 7, 1, 3]) as tf.Tensor4D).arraySync() as number[][][][])[0].map((r) => r[0]);
    const labels = Array.from(batch.labels.dataSync());
    let num = 0;
    let den = 0;
    labels.forEach((l, i) => {
      const lse = Math.log(scores[i].reduce((s, v) => s + Math.exp(v), 0));
      const w = l === 2 ? 100 : 1;
      num += w * (lse - scores[i][l]);
      den += w;
    });
    expect(classifierLoss(classifier, batch, [2]).dataSync()[0]).toBeCloseTo(num / den, 4);
    const opt = tf.train.adam(0.05);
    const first = classifierLoss(classifier, batch, [2]).dataSync()[0];
    for (let i = 0; i < 20; i++) opt.minimize(() => classifierLoss(classifier, batch, [2]), false, classifier.trainableVariables());
    expect(classifierLoss(classifier, batch, [2]).dataSync()[0]).toBeLessThan(first * 0.7);
    g.dispose();
    classifier.dispose();
  });
});

describe('class feature sampling', () => {
  it('takes labels to feature resolution by nearest neighbour and samples distinct pixels per class', () => {
    // 4×4 labels → 2×2: the half-pixel centres pick rows/columns 1 and 3.
    const labels = Int32Array.from([0, 0, 1, 1, 0, 2, 1, 3, 4, 4, 5, 5, 4, 6, 5, 7]);
    expect(Array.from(nearestLabels(labels, 1, 4, 4, 2, 2))).toEqual([2, 3, 6, 7]);

    const features = tf.tensor4d(Array.from({ length: 2 * 2 * 3 * 2 }, (_, i) => i), [2, 2, 3, 2]);
    const pixelLabels = Int32Array.from([1, 1, 1, 0, 1, 255, 1, 1, 0, 9, 9, 9]);
    let s = 1;
    const rng = { next: () => ((s = (s * 16807) % 2147483647) / 2147483647) };
    const sampled = sampleClassFeatures(features, pixelLabels, [0, 1, 4], 3, rng);
    expect([...sampled.keys()].sort()).toEqual([0, 1]);
    const rows1 = sampled.get(1)?.arraySync() as number[][];
    expect(rows1).toHaveLength(3);
    // Every sampled row is the feature of a distinct class-1 pixel (pixel p has features [2p, 2p+1]).
    const pixels = rows1.map((r) => r[0] / 2);
    expect(new Set(pixels).size).toBe(3);
    for (const p of pixels) expect(pixelLabels[p]).toBe(1);
    expect((sampled.get(0)?.arraySync() as number[][]).map((r) => r[0] / 2).sort()).toEqual([3, 8]);
    tf.dispose([features, ...sampled.values()]);
  });
});

describe('gmmn registration', () => {
  it('builds from config with ZS3Net defaults and the unseen-mask switch off', () => {
    const r = new Registries();
    registerModelComponents(r);
    const g = r.of<GmmnGenerator>('generator').build({ type: 'gmmn', hiddenDim: 8, featureDim: 4 }, 'zs3.generator');
    const o = g.options as GmmnGeneratorOptions;
    expect([o.embeddingDim, o.noiseDim, o.leakySlope, o.dropout, o.pixelsPerClass, o.unseenWeight, o.useUnseenGroundTruthMasks]).toEqual([300, 300, 0.2, 0.5, 128, 100, false]);
    expect(o.sigmas).toEqual([2, 5, 10, 20, 40, 80]);
    expect(g.fc1Weight.shape).toEqual([600, 8]);
    expect(() => r.of('generator').build({ type: 'gmmn', dropout: 1.5 }, 'zs3.generator')).toThrow(/zs3\.generator\.dropout/);
    g.dispose();
  });
});
