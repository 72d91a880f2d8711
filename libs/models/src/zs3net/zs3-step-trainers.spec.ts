import * as tf from '@tensorflow/tfjs';
import { OnnxGraphBuilder, OnnxInferenceSession, selectBackend } from '@zls/backend';
import { SeededRng } from '@zls/core';
import { LinearScorer } from '../model/scorers';
import { FeaturePool } from './feature-pool';
import { GmmnGenerator } from './gmmn-generator';
import { ZS3_MMD_SIGMAS } from './mmd-loss';
import {
  GraphClassifierTrainer,
  GraphGeneratorTrainer,
  TfjsClassifierTrainer,
  TfjsGeneratorTrainer,
  type ClassifierTrainingSetup,
  type GeneratorTrainingSetup,
  type Zs3StepTrainer,
} from './zs3-step-trainers';

beforeAll(async () => {
  await selectBackend('wasm-ort');
});

const [embeddingDim, noiseDim, hiddenDim, featureDim] = [12, 10, 32, 16];
const seen = [0, 1, 3];
const unseen = [2, 4];
const numClasses = 5;
const graphs = { executionProviders: ['cpu'], threads: 1 };
const embeddingValues = (() => {
  const rng = new SeededRng(4);
  return Float32Array.from({ length: numClasses * embeddingDim }, () => rng.uniform(-1, 1));
})();

/** Real features of scale ~3 around a mean per class; the same pool (and sampling stream) for a seed. */
function pool(seed: number): FeaturePool {
  const rng = new SeededRng(100 + seed);
  const p = new FeaturePool(featureDim, 64, new SeededRng(seed));
  for (const c of seen) {
    const mean = Array.from({ length: featureDim }, () => rng.uniform(-3, 3));
    for (let i = 0; i < 64; i++) p.add(c, Float32Array.from(mean, (m) => m + rng.uniform(-1, 1)));
  }
  return p;
}

const generator = () => new GmmnGenerator({ embeddingDim, noiseDim, hiddenDim, featureDim, seed: 5 });

/** Per weight, |a − b| / max(|b|, floor): the floor keeps weights near 0 from turning round-off into ratios. */
function worstRelative(a: tf.Variable[], b: tf.Variable[], floor: number): number {
  let worst = 0;
  a.forEach((v, i) => {
    const x = v.dataSync();
    const y = b[i].dataSync();
    for (let k = 0; k < x.length; k++) worst = Math.max(worst, Math.abs(x[k] - y[k]) / Math.max(Math.abs(y[k]), floor));
  });
  return worst;
}

async function run(trainer: Zs3StepTrainer, steps: number): Promise<number[]> {
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) losses.push(await trainer.step());
  await trainer.finish();
  return losses;
}

describe("ZS3Net's stage 2 on the training-graph engine against tfjs autodiff", () => {
  let embeddings: tf.Tensor2D;
  beforeAll(() => {
    embeddings = tf.tensor2d(embeddingValues, [numClasses, embeddingDim]);
  });
  afterAll(() => embeddings.dispose());

  const generatorSetup = (g: GmmnGenerator, seed: number, lr = 2e-3): GeneratorTrainingSetup => ({ generator: g, pool: pool(seed), seen, embeddings, pixelsPerClass: 24, sigmas: ZS3_MMD_SIGMAS, lr });

  it("exports the GMMN as ONNX that computes apply(…, training = false), dropout the identity", async () => {
    const g = generator();
    const rows = 7;
    const b = new OnnxGraphBuilder('gmmn');
    b.addInput('e', [rows, embeddingDim]).addInput('z', [rows, noiseDim]);
    b.addOutput(g.toOnnx(b, 'e', 'z'), [rows, featureDim]);
    const e = tf.randomNormal([rows, embeddingDim], 0, 1, 'float32', 1) as tf.Tensor2D;
    const z = g.noise(rows);
    const session = await OnnxInferenceSession.create(b.toBytes(), { threads: 1 });
    const out = await session.run({ e: { data: e.dataSync() as Float32Array, dims: [rows, embeddingDim] }, z: { data: z.dataSync() as Float32Array, dims: [rows, noiseDim] } });
    const expected = g.apply(e, z, false).dataSync();
    Object.values(out)[0].data.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    await session.dispose();
    g.dispose();
  });

  it('draws the dropout mask tf.dropout draws for the same seed, and the same mask for the same generator seed', () => {
    const [a, b] = [generator(), generator()];
    const m = a.dropoutMask(20).dataSync();
    expect(Array.from(b.dropoutMask(20).dataSync())).toEqual(Array.from(m));
    // The generator's first stream seed (seed·7919 + 3, one LCG step): what its tfjs path passed to tf.dropout.
    const firstSeed = (Math.imul(5 * 7919 + 3, 1664525) + 1013904223) >>> 0;
    expect(Array.from(tf.dropout(tf.ones([20, hiddenDim]), 0.5, undefined, firstSeed).dataSync())).toEqual(Array.from(m));
    const zeros = Array.from(m).filter((v) => v === 0).length;
    expect(zeros / m.length).toBeGreaterThan(0.35);
    expect(zeros / m.length).toBeLessThan(0.65);
    expect(Array.from(m).every((v) => v === 0 || Math.abs(v - 2) < 1e-6)).toBe(true);
    a.dispose();
    b.dispose();
  });

  it('one Adam step of the GMMN (same data, noise and dropout mask) equals the tfjs step within 1e-3 relative per weight', async () => {
    const [ga, gb] = [generator(), generator()];
    const tfjs = new TfjsGeneratorTrainer(generatorSetup(ga, 1));
    const graph = await GraphGeneratorTrainer.create(generatorSetup(gb, 1), graphs);
    const before = ga.trainableVariables().map((v) => v.dataSync().slice());
    const [lossT] = await run(tfjs, 1);
    const [lossG] = await run(graph, 1);
    expect(Math.abs(lossG - lossT) / lossT).toBeLessThan(1e-4);
    // The step moved the weights (by ≈ lr each, Adam's first step), and both engines moved them alike.
    expect(ga.trainableVariables()[0].dataSync()).not.toEqual(before[0]);
    expect(worstRelative(gb.trainableVariables(), ga.trainableVariables(), 1e-4)).toBeLessThan(1e-3);
    ga.dispose();
    gb.dispose();
  });

  it('one Adam step of the classifier retraining equals the tfjs step within 1e-3 relative per weight', async () => {
    const setup = (scorer: LinearScorer, seed: number): ClassifierTrainingSetup => ({
      scorer,
      generator: generator(),
      pool: pool(seed),
      seen,
      unseen,
      embeddings,
      pixelsPerClass: 24,
      unseenWeight: 100,
      lr: 1e-2,
    });
    const [sa, sb] = [new LinearScorer(featureDim, numClasses, 9), new LinearScorer(featureDim, numClasses, 9)];
    const [a, b] = [setup(sa, 2), setup(sb, 2)];
    const [lossT] = await run(new TfjsClassifierTrainer(a), 1);
    const [lossG] = await run(await GraphClassifierTrainer.create(b, graphs), 1);
    expect(Math.abs(lossG - lossT) / lossT).toBeLessThan(1e-4);
    expect(worstRelative(sb.trainableVariables(), sa.trainableVariables(), 1e-4)).toBeLessThan(1e-3);
    for (const s of [a, b]) s.generator.dispose();
    sa.dispose();
    sb.dispose();
  });

  it('50 steps of each phase: the losses stay within 0.1 % of the tfjs path at every step', async () => {
    const [ga, gb] = [generator(), generator()];
    const lossT = await run(new TfjsGeneratorTrainer(generatorSetup(ga, 3, 1e-2)), 50);
    const lossG = await run(await GraphGeneratorTrainer.create(generatorSetup(gb, 3, 1e-2), graphs), 50);
    lossG.forEach((l, i) => expect(Math.abs(l - lossT[i]) / lossT[i]).toBeLessThan(1e-3));
    expect(lossG[49]).toBeLessThan(0.5 * lossG[0]);

    // The classifier then retrains on each engine's own generator, as the stage does.
    const setup = (scorer: LinearScorer, g: GmmnGenerator): ClassifierTrainingSetup => ({ scorer, generator: g, pool: pool(4), seen, unseen, embeddings, pixelsPerClass: 24, unseenWeight: 100, lr: 1e-2 });
    const [sa, sb] = [new LinearScorer(featureDim, numClasses, 9), new LinearScorer(featureDim, numClasses, 9)];
    const ceT = await run(new TfjsClassifierTrainer(setup(sa, ga)), 50);
    const ceG = await run(await GraphClassifierTrainer.create(setup(sb, gb), graphs), 50);
    ceG.forEach((l, i) => expect(Math.abs(l - ceT[i]) / ceT[i]).toBeLessThan(1e-3));
    expect(ceG[49]).toBeLessThan(0.5 * ceG[0]);
    for (const m of [ga, gb, sa, sb]) m.dispose();
  }, 60_000);
});
