import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  IGNORE_INDEX,
  SeededRng,
  type BatchSource,
  type CheckpointMeta,
  type Checkpointer,
  type SegmentationModel,
  type TensorRecord,
  type TrainingBatch,
} from '@zls/core';
import { createVariableGraphTrainer, OnnxGraphBuilder } from '@zls/backend';
import type { GraphTrainer, GraphTrainerRequest } from '@zls/core';
import { JsonlLog } from './jsonl-log';
import { ProgressLine } from './progress';
import type { StageSpec } from './stage-spec';
import { trainStage as trainStageImpl } from './train-stage';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Per-pixel linear classifier (a 1×1 convolution): enough to learn "colour → class". */
class PixelModel implements SegmentationModel {
  readonly numClasses = 3;
  readonly kernel = tf.variable(tf.randomNormal([1, 1, 3, 3], 0, 0.1, 'float32', 1));
  readonly bias = tf.variable(tf.zeros([3]));
  initialiseUntrainedStatistics?: (images: tf.Tensor4D) => boolean;
  forward(images: tf.Tensor4D, _training: boolean, classes: readonly number[] = [0, 1, 2]): tf.Tensor4D {
    return tf.tidy(() => {
      const scores = tf.add(tf.conv2d(images, this.kernel as tf.Tensor4D, 1, 'same'), this.bias) as tf.Tensor4D;
      return tf.gather(scores, Array.from(classes), 3) as tf.Tensor4D;
    });
  }
  trainable() {
    return [
      { variable: this.kernel, role: 'head' as const, isBias: false },
      { variable: this.bias, role: 'head' as const, isBias: true },
    ];
  }
  stateVariables() {
    return { kernel: this.kernel, bias: this.bias };
  }
  dispose() {
    tf.dispose([this.kernel, this.bias]);
  }
}

/** The same model, also able to train as onnxruntime graphs (its forward written as ONNX with variable origins). */
class GraphPixelModel extends PixelModel {
  async graphTrainer(request: GraphTrainerRequest): Promise<GraphTrainer> {
    const g = new OnnxGraphBuilder('pixel');
    g.addInput('images', [...request.batchShape]);
    const kernel = Float32Array.from(this.kernel.dataSync()); // [1,1,3,3] HWIO → OIHW is a transpose of the 3×3 block
    const oihw = new Float32Array(9);
    for (let c = 0; c < 3; c++) for (let o = 0; o < 3; o++) oihw[o * 3 + c] = kernel[c * 3 + o];
    g.addInitializer('kernel', oihw, [3, 3, 1, 1], 'float', { variable: this.kernel, layout: 'hwio-to-oihw' });
    g.addInitializer('bias', Float32Array.from(this.bias.dataSync()), [3], 'float', { variable: this.bias, layout: 'same' });
    g.addInt64Initializer('classes', [...request.classes]);
    const scores = g.op('Gather', [g.op('Conv', [g.op('Transpose', ['images'], { perm: [0, 3, 1, 2] }), 'kernel', 'bias'], { kernel_shape: [1, 1] }), 'classes'], { axis: 1 });
    g.addNode('Transpose', [scores], ['scores'], { perm: [0, 2, 3, 1] });
    g.addOutput('scores', null);
    return createVariableGraphTrainer(g.ir(), 'scores', request);
  }
}

/** Batch k is a pure function of (seed, k): red, green or blue pixels labelled 0, 1, 2; some ignored. */
function source(seed: number, start: number, poison = -1): BatchSource {
  let k = start;
  return {
    async next(): Promise<TrainingBatch> {
      const rng = SeededRng.derive(seed, k);
      const [n, h, w] = [2, 4, 4];
      const images = new Float32Array(n * h * w * 3);
      const targets = [];
      for (let i = 0; i < n; i++) {
        const data = new Uint8Array(h * w);
        for (let p = 0; p < h * w; p++) {
          const c = rng.int(0, 2);
          images[(i * h * w + p) * 3 + c] = k === poison ? NaN : 1;
          data[p] = rng.next() < 0.2 ? IGNORE_INDEX : c;
        }
        targets.push({ data, height: h, width: w });
      }
      k++;
      return { ids: ['a', 'b'], images, shape: [n, h, w, 3], targets, hidden: targets };
    },
    async close() {
      // nothing to release: batches are computed on demand
    },
  };
}

class MemoryCheckpointer implements Checkpointer {
  readonly saves: CheckpointMeta[] = [];
  private last = new Map<string, { weights: TensorRecord; optimizer: TensorRecord; meta: CheckpointMeta }>();
  save(weights: TensorRecord, optimizer: TensorRecord, meta: CheckpointMeta): void {
    this.saves.push(meta);
    this.last.set(meta.stage, structuredClone({ weights, optimizer, meta }));
  }
  latest(stage: string) {
    return this.last.get(stage);
  }
}

const spec = (over: Partial<StageSpec> = {}): StageSpec => ({
  name: 'spnet',
  round: 0,
  iterations: 30,
  optimizer: 'sgd',
  lr: 0.5,
  momentum: 0.9,
  weightDecay: 1e-4,
  lrPolicy: 'poly',
  lrPower: 0.9,
  lrUpdateEvery: 1,
  headLrMultipliers: false,
  classes: [0, 1, 2],
  checkpointEvery: 0,
  ...over,
});

// Every behaviour holds on both engines: tfjs autodiff, and one onnxruntime graph per step.
const engines: [string, () => PixelModel, { executionProviders: string[]; threads: number } | undefined][] = [
  ['tfjs autodiff', () => new PixelModel(), undefined],
  ['onnxruntime training graphs', () => new GraphPixelModel(), { executionProviders: ['cpu'], threads: 1 }],
];

describe.each(engines)('trainStage on %s', (_engine, makeModel, graphs) => {
  const trainStage = (options: Parameters<typeof trainStageImpl>[0]) => trainStageImpl({ ...options, graphs });

  it('lowers the loss, logs every step and checkpoints every N steps and at the end', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zls-train-'));
    const model = makeModel();
    const checkpointer = new MemoryCheckpointer();
    const log = new JsonlLog(path.join(dir, 'log.jsonl'));
    const result = await trainStage({ model, spec: spec({ checkpointEvery: 10 }), openSource: (s) => source(1, s), checkpointer, log });
    const lines = JsonlLog.read(log.file);
    expect(lines).toHaveLength(30);
    expect(lines[0]['engine']).toBe(graphs ? 'onnx-graph' : 'tfjs');
    expect(result.lastLoss).toBeLessThan((lines[0]['loss'] as number) / 3);
    expect(checkpointer.saves.map((m) => m.step)).toEqual([10, 20, 30]);
    fs.rmSync(dir, { recursive: true, force: true });
    model.dispose();
  });

  it('prints and logs the stage estimate after step 3, from the measured step time', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zls-train-'));
    const log = new JsonlLog(path.join(dir, 'log.jsonl'));
    const lines: string[] = [];
    const progress = new ProgressLine('spnet', 30, { write: (s: string) => lines.push(s) > 0 });
    // A clock the batches move: the first step takes 5 s (as graph building would), every later one 1.2 s.
    let now = 0;
    let batches = 0;
    const openSource = (s: number): BatchSource => {
      const inner = source(1, s);
      return { next: () => ((now += batches++ === 0 ? 5_000 : 1_200), inner.next()), close: inner.close };
    };
    const model = makeModel();
    await trainStage({ model, spec: spec(), openSource, log, progress, clock: () => now });
    const notes = lines.filter((l) => l.startsWith('stage spnet:'));
    const engine = graphs ? 'ort-cpu graphs' : 'tfjs cpu';
    expect(notes).toEqual([`stage spnet: ~40 s for 30 steps at 1.2 s/step on ${engine}\n`]);
    const records = JsonlLog.read(log.file);
    expect(records.filter((r) => r['estimate'])).toEqual([expect.objectContaining({ step: 3, time: 7_400 })]);
    expect(records[2]['estimate']).toEqual({ steps: 30, secondsPerStep: expect.closeTo(1.2, 9), seconds: expect.closeTo(7.4 + 27 * 1.2, 6), engine });
    fs.rmSync(dir, { recursive: true, force: true });
    model.dispose();
  });

  it('resumed after an interruption, ends with exactly the weights of an uninterrupted run', async () => {
    const straight = makeModel();
    await trainStage({ model: straight, spec: spec({ iterations: 8, optimizer: 'adam', lr: 0.05 }), openSource: (s) => source(2, s) });

    const checkpointer = new MemoryCheckpointer();
    const first = makeModel();
    let calls = 0;
    const interrupted = trainStage({
      model: first,
      spec: spec({ iterations: 8, optimizer: 'adam', lr: 0.05, checkpointEvery: 4 }),
      openSource: (s) => {
        const inner = source(2, s);
        return { next: () => (++calls > 5 ? Promise.reject(new Error('killed')) : inner.next()), close: inner.close };
      },
      checkpointer,
    });
    await expect(interrupted).rejects.toThrow('killed');
    expect(checkpointer.latest('spnet')?.meta.step).toBe(4);

    const resumed = makeModel(); // fresh weights: everything must come from the checkpoint
    const result = await trainStage({ model: resumed, spec: spec({ iterations: 8, optimizer: 'adam', lr: 0.05, checkpointEvery: 4 }), openSource: (s) => source(2, s), checkpointer });
    expect(result.resumedFrom).toBe(4);
    expect(result.stepsRun).toBe(4);
    expect(Array.from(resumed.kernel.dataSync())).toEqual(Array.from(straight.kernel.dataSync()));
    expect(Array.from(resumed.bias.dataSync())).toEqual(Array.from(straight.bias.dataSync()));

    const again = await trainStage({ model: resumed, spec: spec({ iterations: 8, optimizer: 'adam', lr: 0.05 }), openSource: (s) => source(2, s), checkpointer });
    expect(again.stepsRun).toBe(0);
  });

  it('stops on a non-finite loss, naming the step, and keeps the last good checkpoint', async () => {
    const model = makeModel();
    const checkpointer = new MemoryCheckpointer();
    await expect(
      trainStage({ model, spec: spec({ iterations: 10, checkpointEvery: 2 }), openSource: (s) => source(3, s, 5), checkpointer }),
    ).rejects.toThrow(/loss became NaN at step 6/);
    expect(checkpointer.latest('spnet')?.meta.step).toBe(4);
    expect(Array.from(checkpointer.latest('spnet')?.weights['kernel'].data ?? []).every(Number.isFinite)).toBe(true);
  });

  it('stops when the loss grows past divergenceFactor × its first value, naming both steps', async () => {
    const model = makeModel();
    // Each batch's images are 10× the last: a linear model's loss grows without ever becoming NaN.
    const growing = (s: number): BatchSource => {
      const inner = source(7, s);
      let k = s;
      return {
        next: async () => {
          const b = await inner.next();
          const scale = 10 ** k++;
          return { ...b, images: b.images.map((v) => v * scale) };
        },
        close: inner.close,
      };
    };
    // Labels that depend on the pixel's position, which a per-pixel model cannot see: the loss cannot fall.
    const targets = (batch: TrainingBatch) => batch.targets.map((t) => ({ ...t, data: t.data.map((v, i) => (v === IGNORE_INDEX ? v : (v + i) % 3)) }));
    const run = trainStage({ model, spec: spec({ iterations: 20, lr: 0.01, divergenceFactor: 50 }), openSource: growing, targets });
    await expect(run).rejects.toThrow(/loss grew from .* \(step 1\) to .* \(step \d+\), more than divergenceFactor 50×/);
    const unchecked = await trainStage({ model: makeModel(), spec: spec({ iterations: 6, lr: 0.01, divergenceFactor: 0 }), openSource: growing, targets });
    expect(unchecked.stepsRun).toBe(6);
  });

  it('trains on the targets a provider returns (pseudo-label mixing) over the given classes only', async () => {
    const model = makeModel();
    // Only class 2 is visible, and the provider relabels everything as 2: its score must rise against nothing.
    const result = await trainStage({
      model,
      spec: spec({ iterations: 3, classes: [2] }),
      openSource: (s) => source(4, s),
      targets: (batch) => batch.targets.map((t) => ({ ...t, data: new Uint8Array(t.data.length).fill(2) })),
    });
    // With a single visible class the softmax is 1 everywhere: the loss is exactly 0.
    expect(result.lastLoss).toBeCloseTo(0, 6);
  });

  it('lets a model estimate untrained statistics from the first batch, once, only when the stage starts from initial weights', async () => {
    const calls: number[] = [];
    const model = makeModel();
    // Stands in for frozen batch norm: the "statistics" (here the bias) are set from the images' mean.
    model.initialiseUntrainedStatistics = (images: tf.Tensor4D) => {
      calls.push(images.shape[0]);
      model.bias.assign(tf.fill([3], tf.mean(images).dataSync()[0]) as tf.Tensor1D);
      return true;
    };
    const checkpointer = new MemoryCheckpointer();
    await trainStage({ model, spec: spec({ iterations: 2, lr: 0, weightDecay: 0 }), openSource: (s) => source(1, s), checkpointer, fromInitialWeights: true });
    expect(calls).toEqual([2]);
    // lr 0: the trained weights are the estimated ones, on either engine (the graph is built after the estimate).
    const firstBatch = await source(1, 0).next();
    const mean = firstBatch.images.reduce((a, v) => a + v, 0) / firstBatch.images.length;
    for (const b of model.bias.dataSync()) expect(b).toBeCloseTo(mean, 5);
    // Resumed, or a student's stage: not again.
    await trainStage({ model, spec: spec({ iterations: 4, lr: 0, weightDecay: 0 }), openSource: (s) => source(1, s), checkpointer, fromInitialWeights: true });
    await trainStage({ model, spec: spec({ name: 'round-1', iterations: 1, lr: 0, weightDecay: 0 }), openSource: (s) => source(1, s) });
    expect(calls).toEqual([2]);
    model.dispose();
  });

  it('leaks no tensors across a stage', async () => {
    const model = makeModel();
    await trainStage({ model, spec: spec({ iterations: 2 }), openSource: (s) => source(5, s) });
    const before = tf.memory().numTensors;
    await trainStage({ model, spec: spec({ iterations: 5 }), openSource: (s) => source(5, s) });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('saves a checkpoint and stops when interrupted, and resumes from it', async () => {
    const checkpointer = new MemoryCheckpointer();
    const controller = new AbortController();
    const model = makeModel();
    let steps = 0;
    const run = trainStage({
      model,
      spec: spec({ iterations: 10 }),
      openSource: (s) => {
        const inner = source(6, s);
        return { next: () => (++steps === 3 ? (controller.abort(), inner.next()) : inner.next()), close: inner.close };
      },
      checkpointer,
      signal: controller.signal,
    });
    await expect(run).rejects.toThrow(/interrupted at step 3 of 10; checkpoint saved/);
    expect(checkpointer.latest('spnet')?.meta.step).toBe(3);
    const resumed = await trainStage({ model: makeModel(), spec: spec({ iterations: 10 }), openSource: (s) => source(6, s), checkpointer });
    expect(resumed.resumedFrom).toBe(3);
    expect(resumed.stepsRun).toBe(7);
  });
});
