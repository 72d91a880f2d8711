import * as tf from '@tensorflow/tfjs';
import {
  IGNORE_INDEX,
  type BatchSource,
  type CheckpointMeta,
  type Checkpointer,
  type ClassSpace,
  type DataService,
  type EvaluationAccumulator,
  type LabelMap,
  type MetricsService,
  type ModelService,
  type PseudoLabeler,
  type SegmentationModel,
  type SplitRole,
  type TensorRecord,
  type TrainingBatch,
} from '@zls/core';

/**
 * Fakes of the services a run is built from, for runExperiment's specs: nothing real trains or is measured.
 * Images carry the class logits themselves (one channel per class), and the fake model passes them through
 * (its variables take part with weight 0, so training steps run but never change a score). Each pixel's gap
 * p_seen − p_unseen is therefore fixed by the data, and so is the γ at which it turns unseen.
 */

/** Everything the fakes were asked to do, in order: the pipeline's order as the services saw it. */
export type RunEvent =
  | { kind: 'create'; seed: number }
  | { kind: 'copy' }
  | { kind: 'training-batches'; data: string; seed: number; startStep: number; pseudoLabels: boolean }
  | { kind: 'pass'; data: string; split: SplitRole }
  | { kind: 'save'; dir: string; stage: string; step: number }
  | { kind: 'feature-generation' };

/** Three classes: a and b seen, c unseen. */
export function fakeClassSpace(name = 'fake', unseen: readonly number[] = [2], dropped: readonly number[] = []): ClassSpace {
  const names = ['a', 'b', 'c'];
  const classes = names.map((n, index) => ({ index, labelId: index + 1, name: n, role: unseen.includes(index) ? ('unseen' as const) : ('seen' as const) }));
  return {
    name,
    numClasses: 3,
    classes,
    seenIndices: classes.filter((c) => c.role === 'seen' && !dropped.includes(c.index)).map((c) => c.index),
    unseenIndices: [...unseen],
    backgroundIsClass: false,
    backgroundIndex: undefined,
    embeddingDim: 1,
    embeddings: new Float32Array([1, 1, 1]),
    outputIndexOf: (id) => (id >= 1 && id <= 3 ? id - 1 : IGNORE_INDEX),
    labelIdOf: (i) => i + 1,
  };
}

/** Passes the images' channels through as scores; its variables contribute 0, so they train without effect. */
export class PassThroughModel implements SegmentationModel {
  readonly numClasses = 3;
  readonly kernel = tf.variable(tf.zeros([3]));

  forward(images: tf.Tensor4D, _training: boolean, classes: readonly number[] = [0, 1, 2]): tf.Tensor4D {
    return tf.tidy(() => tf.gather(tf.add(images, tf.mul(this.kernel, 0)), Array.from(classes), 3) as tf.Tensor4D);
  }
  trainable() {
    return [{ variable: this.kernel, role: 'head' as const, isBias: true }];
  }
  stateVariables() {
    return { kernel: this.kernel };
  }
  dispose() {
    this.kernel.dispose();
  }
}

/** Model service with an in-memory checkpoint store shared by every run that uses the same instance. */
export class FakeModelService implements ModelService {
  private readonly store = new Map<string, Map<string, { weights: TensorRecord; optimizer: TensorRecord; meta: CheckpointMeta }>>();

  constructor(private readonly events: RunEvent[]) {}

  create(seed: number): SegmentationModel {
    this.events.push({ kind: 'create', seed });
    return new PassThroughModel();
  }
  copy(model: SegmentationModel): SegmentationModel {
    this.events.push({ kind: 'copy' });
    const copy = new PassThroughModel();
    copy.kernel.assign(model.stateVariables()['kernel']);
    return copy;
  }
  checkpointer(dir: string): Checkpointer {
    const stages = this.store.get(dir) ?? new Map();
    this.store.set(dir, stages);
    return {
      save: (weights, optimizer, meta) => {
        this.events.push({ kind: 'save', dir, stage: meta.stage, step: meta.step });
        stages.set(meta.stage, { weights, optimizer, meta });
      },
      latest: (stage) => stages.get(stage),
    };
  }
}

/** One image's pixels: the gaps p_seen − p_unseen, and each pixel's label id (1..3). */
export interface FakeImage {
  gaps: readonly number[];
  labels: readonly number[];
}

/**
 * Data over a fake class space: every split one image of the given pixels (a row), its logits making the best
 * seen class (the pixel's seen label, or class 0) beat the unseen class `unseenLogitClass` by exactly `gap` in
 * probability, the remaining class far below.
 */
export class FakeDataService implements DataService {
  constructor(
    readonly name: string,
    readonly classSpace: ClassSpace,
    private readonly splits: Record<SplitRole, FakeImage>,
    private readonly events: RunEvent[],
  ) {}

  private batch(split: SplitRole): TrainingBatch {
    const { gaps, labels } = this.splits[split];
    const space = this.classSpace;
    const unseenClass = space.unseenIndices[0];
    const images = new Float32Array(gaps.length * 3).fill(-20);
    const hidden = new Uint8Array(gaps.length);
    const target = new Uint8Array(gaps.length);
    gaps.forEach((gap, p) => {
      const index = space.outputIndexOf(labels[p]);
      const seenClass = space.seenIndices.includes(index) ? index : space.seenIndices[0];
      // Over two live classes, p_seen − p_unseen = gap when their logits differ by ln((1 + gap) / (1 − gap)).
      images[p * 3 + seenClass] = Math.log((1 + gap) / (1 - gap));
      images[p * 3 + unseenClass] = 0;
      hidden[p] = index;
      target[p] = space.seenIndices.includes(index) ? index : IGNORE_INDEX;
    });
    const map = (data: Uint8Array): LabelMap => ({ data, height: 1, width: gaps.length });
    return { ids: [`${this.name}-${split}-0`], images, shape: [1, 1, gaps.length, 3], targets: [map(target)], hidden: [map(hidden)] };
  }

  async trainingBatches(options: { batchSize: number; seed: number; startStep: number; pseudoLabels?: ReadonlyMap<string, LabelMap> }): Promise<BatchSource> {
    this.events.push({ kind: 'training-batches', data: this.name, seed: options.seed, startStep: options.startStep, pseudoLabels: options.pseudoLabels !== undefined });
    return { next: async () => this.batch('train'), close: async () => undefined };
  }

  async *pass(split: SplitRole): AsyncIterable<TrainingBatch> {
    this.events.push({ kind: 'pass', data: this.name, split });
    yield this.batch(split);
  }

  async size(): Promise<number> {
    return 1;
  }
}

/**
 * Metrics whose harmonic score depends only on how many pixels a prediction gives an unseen class of the space
 * it scores: −|that count − target|, with the target per class-space name. So the γ each calibration rule picks
 * is known from the data alone.
 */
export function fakeMetrics(unseenPixelTarget: Record<string, number>): MetricsService {
  return {
    evaluator(space: ClassSpace): EvaluationAccumulator {
      let unseenPixels = 0;
      let pixels = 0;
      return {
        add(prediction) {
          pixels += prediction.data.length;
          for (const v of prediction.data) if (space.unseenIndices.includes(v)) unseenPixels++;
        },
        headline: () => ({ seen: pixels - unseenPixels, unseen: unseenPixels, harmonic: 0 - Math.abs(unseenPixels - (unseenPixelTarget[space.name] ?? 0)) }),
        json: () => ({ unseenPixels, pixels }),
        table: () => '',
      };
    },
    pseudoLabelQuality(_space: ClassSpace, round: number) {
      let labelled = 0;
      return {
        add(pseudo) {
          for (const v of pseudo.data) if (v !== IGNORE_INDEX) labelled++;
        },
        json: () => ({
          classSpace: _space.name, round, images: 0, pixels: 0, candidates: labelled, assigned: labelled, correct: 0,
          precision: null, precisionOnUnseen: null, coverage: null, labelledUnseen: null, labelledCandidates: null, labelledNonUnseenCandidates: null, classes: [],
        }),
        table: () => `round ${round}: ${labelled} pixels labelled`,
      };
    },
  };
}

/** Labels every candidate pixel with the first unseen class. */
export const fakeLabeler: PseudoLabeler = {
  name: 'fake',
  rule: 'every candidate unseen',
  selectsPerSample: true,
  async propose({ targets, unseenIndices }) {
    return targets.map((t) => ({
      labels: { ...t, data: t.data.map((v) => (v === IGNORE_INDEX ? unseenIndices[0] : IGNORE_INDEX)) },
      confidence: new Float32Array(t.data.length).fill(1),
    }));
  },
  select: (proposals) => proposals.map((p) => p.labels),
};
