import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { resizeLabelsNearest, selectBackend } from '@zls/backend';
import { IGNORE_INDEX, Registries, SeededRng, TrainSection, loadConfig, validateExperiment, type BatchSource, type TrainingBatch } from '@zls/core';
import { JsonlLog, maskedCrossEntropy, multiScaleCrossEntropy, stageFromConfig, targetPositions, trainStage } from '@zls/engine';
import { buildSegmentationModel, registerModelComponents, type SegmentationModelConfig, type SegmentationNet } from '@zls/models';
import { TINY_SYNTHETIC_OVERRIDES, useTempDir } from '@zls/testing';
import { createRegistries } from '../registries';
import { runConfig } from './run-config';

// SPNet's multi-scale training through the trainer's own step runners (tfjs autodiff and onnxruntime training
// graphs), and through a whole run: the supervised stage trains and is scored multi-scale, students single-scale.
beforeAll(async () => {
  await selectBackend('wasm-ort');
});

const SIZE = 33;
const CLASSES = [0, 2, 3];
const embeddings = Float32Array.from({ length: 5 * 8 }, (_, i) => Math.sin(i * 1.7));

const config = (multiScale?: SegmentationModelConfig['multiScale']): SegmentationModelConfig => ({
  backbone: { type: 'synthetic-net', width: 4, seed: 2 },
  head: { type: 'aspp-lite-projection', dilations: [1, 2, 4], embeddingDim: 8, seed: 3 },
  upsampling: 'align-corners',
  multiScale,
});

function build(c: SegmentationModelConfig): SegmentationNet {
  const r = new Registries();
  registerModelComponents(r);
  return buildSegmentationModel(r, c, { numClasses: 5, embeddingDim: 8, embeddings });
}

function batch(seed: number): TrainingBatch {
  const rng = new SeededRng(seed);
  const n = 2;
  const images = Float32Array.from({ length: n * SIZE * SIZE * 3 }, () => rng.uniform(-1, 1));
  const targets = Array.from({ length: n }, () => ({
    data: Uint8Array.from({ length: SIZE * SIZE }, (_, p) => (rng.next() < 0.1 ? IGNORE_INDEX : [0, 2, 3, 1][(p >> 3) % 4])),
    height: SIZE,
    width: SIZE,
  }));
  return { ids: ['a', 'b'], images, shape: [n, SIZE, SIZE, 3], targets, hidden: targets };
}

const source = (seed: number): BatchSource => ({
  next: async () => batch(seed),
  close: async () => undefined,
});

const section = Object.assign(new TrainSection(), { iterations: 1, lr: 0.05, headLrMultipliers: false, divergenceFactor: 0 });

/** One step of `round`'s stage on `net`; the step's loss (before its update). */
async function oneStep(net: SegmentationNet, round: number, graphs: boolean): Promise<number> {
  const spec = stageFromConfig(round === 0 ? 'spnet' : `round-${round}`, round, section, CLASSES);
  const result = await trainStage({ model: net, spec, openSource: () => source(5), graphs: graphs ? { executionProviders: ['cpu'], threads: 1 } : undefined });
  return result.lastLoss;
}

function worstRelative(a: SegmentationNet, b: SegmentationNet): { worst: number; name: string } {
  const expected = b.stateVariables();
  let worst = 0;
  let name = '';
  for (const [k, v] of Object.entries(a.stateVariables())) {
    const x = v.dataSync();
    const y = expected[k].dataSync();
    let scale = 1e-3;
    let diff = 0;
    for (let i = 0; i < x.length; i++) {
      scale = Math.max(scale, Math.abs(y[i]));
      diff = Math.max(diff, Math.abs(x[i] - y[i]));
    }
    if (diff / scale > worst) [worst, name] = [diff / scale, k];
  }
  return { worst, name };
}

describe('multi-scale training through the step runners', () => {
  it('the supervised stage trains on the four-term loss, the same on both engines (loss and weights within 1e-3)', async () => {
    const multi = config({ scales: [1, 0.5, 0.75], max: true });
    // The loss of the initial weights, from the outputs and the label grids directly.
    const probe = build(multi);
    const b = batch(5);
    const { positions } = targetPositions(b.targets, CLASSES);
    const expected = tf.tidy(() => multiScaleCrossEntropy(probe.multiScaleScores(tf.tensor4d(b.images, [...b.shape]), true, CLASSES) ?? [], positions, [2, SIZE, SIZE]).dataSync()[0]);
    probe.dispose();

    const viaTfjs = build(multi);
    const viaGraph = build(multi);
    const tfjsLoss = await oneStep(viaTfjs, 0, false);
    const graphLoss = await oneStep(viaGraph, 0, true);
    expect(Math.abs(tfjsLoss - expected) / expected).toBeLessThan(1e-5);
    expect(Math.abs(graphLoss - tfjsLoss) / tfjsLoss).toBeLessThan(1e-3);
    const { worst, name } = worstRelative(viaGraph, viaTfjs);
    expect({ within: worst < 1e-3, worst, name }).toEqual({ within: true, worst, name });
    viaTfjs.dispose();
    viaGraph.dispose();
  }, 60_000);

  it('a student (round ≥ 1) of a multi-scale net trains single-scale on both engines', async () => {
    const multi = config({ scales: [1, 0.5, 0.75] });
    const probe = build(multi);
    const b = batch(5);
    const { positions, valid } = targetPositions(b.targets, CLASSES);
    const single = tf.tidy(() => maskedCrossEntropy(probe.forward(tf.tensor4d(b.images, [...b.shape]), true, CLASSES), positions, valid).dataSync()[0]);
    probe.dispose();
    for (const graphs of [false, true]) {
      const net = build(multi);
      expect(await oneStep(net, 1, graphs)).toBeCloseTo(single, 4);
      net.dispose();
    }
  }, 60_000);

  it('each output has its own grid (33 px → 9 cells, 16 px → 4, 24 px → 6) and labels follow the OpenCV rule', () => {
    const net = build(config({ scales: [1, 0.5, 0.75] }));
    const outs = tf.tidy(() => net.multiScaleScores(tf.zeros([1, SIZE, SIZE, 3]), false, CLASSES) ?? []);
    expect(outs.map((o) => o.shape.slice(1, 3))).toEqual([
      [9, 9],
      [4, 4],
      [6, 6],
      [9, 9],
    ]);
    tf.dispose(outs);
    // 33 → 9: rows floor(i · 33/9) = 0, 3, 7, 11, 14, 18, 22, 25, 29.
    const rows = Int32Array.from({ length: SIZE }, (_, i) => i);
    expect(Array.from(resizeLabelsNearest(rows, [1, SIZE, 1], [9, 1]))).toEqual([0, 3, 7, 11, 14, 18, 22, 25, 29]);
    net.dispose();
  });
});

describe('a multi-scale run (tiny STRICT on the synthetic benchmark)', () => {
  const dir = useTempDir('zls-msc-');
  const root = path.resolve(__dirname, '../../../..');
  const strict = path.join(root, 'experiments/strict/strict_synthetic-net_1000+400_synthetic-64.yaml');
  const tiny = [...TINY_SYNTHETIC_OVERRIDES, 'model.head.embeddingDim=300', 'train.iterations=4', 'train.lr=0.01', 'selfTraining.train.iterations=2', 'selfTraining.pseudoLabel.scales=[1.5]'];

  it('trains and scores SPNet multi-scale (max-fused test), the student single-scale, on the default engine', async () => {
    const registries = createRegistries();
    const runs: Record<string, Awaited<ReturnType<typeof runConfig>>> = {};
    for (const [name, extra] of [
      ['single', []],
      ['multi', ['model.multiScale={scales: [1, 0.5, 0.75], max: true, test: max}', 'backend=auto']],
      ['multi-single-test', ['model.multiScale={scales: [1, 0.5, 0.75], max: true, test: single-scale}', 'backend=auto']],
    ] as [string, string[]][]) {
      const { config } = loadConfig(strict, [...tiny, ...extra]);
      validateExperiment(config, registries);
      runs[name] = await runConfig({ config, registries, runDir: path.join(dir(), name), stageRoot: path.join(dir(), 'stages'), print: () => undefined });
    }
    const stage = (r: string, name: string) => {
      const found = runs[r].stages.find((s) => s.name === name);
      if (!found) throw new Error(`${r} has no stage ${name}`);
      return found;
    };
    const firstLoss = (r: string) => JsonlLog.read(path.join(dir(), r, stage(r, 'spnet').dir as string, 'train.jsonl'))[0]['loss'] as number;
    // Four cross-entropy terms against one.
    expect(stage('multi', 'spnet').key).not.toEqual(stage('single', 'spnet').key);
    expect(firstLoss('multi')).toBeGreaterThan(2.5 * firstLoss('single'));
    expect(firstLoss('multi-single-test')).toBeCloseTo(firstLoss('multi'), 4);
    // The two multi-scale runs train the same SPNet; it is scored on the max over the scales in one and
    // single-scale in the other. Their students (single-scale, labelled by the single-scale generator) agree.
    expect(stage('multi', 'spnet').headline).not.toEqual(stage('multi-single-test', 'spnet').headline);
    expect(stage('multi', 'round-1').headline).toEqual(stage('multi-single-test', 'round-1').headline);
    for (const r of Object.values(runs)) expect(r.stages.map((s) => s.name)).toEqual(['spnet', 'round-1']);
  }, 300_000);
});
