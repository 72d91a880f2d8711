import type { ClassSpace } from './class-space';
import type { LabelMap } from './sample';
import type { SegmentationModel } from './model';
import type { BatchSource, Checkpointer, TrainingBatch } from './training';
import type { PseudoLabelQualityResult } from '../results/pseudo-label-quality';

/** Which split of the experiment's dataset a pass reads. */
export type SplitRole = 'train' | 'eval' | 'calibration';

/**
 * Data as the engine needs it, built by the app from the experiment's dataset and transforms. Cached
 * pseudo-labels are mixed into the training targets BEFORE augmentation, so any geometric transform
 * (flip, scale, crop) carries them along with the image.
 */
export interface DataService {
  readonly classSpace: ClassSpace;
  trainingBatches(options: {
    batchSize: number;
    seed: number;
    startStep: number;
    /** Per training image id: labels to use where the human target is ignore. */
    pseudoLabels?: ReadonlyMap<string, LabelMap>;
  }): Promise<BatchSource>;
  /** One ordered pass over a split with the evaluation transforms only. */
  pass(split: SplitRole, batchSize: number): AsyncIterable<TrainingBatch>;
  /** Number of images in a split. */
  size(split: SplitRole): Promise<number>;
}

export interface ModelService {
  /** A freshly initialised network for the class space. */
  create(seed: number): SegmentationModel;
  /** An independent copy with the same weights (a student starts as its generator). */
  copy(model: SegmentationModel): SegmentationModel;
  /** Checkpoints of one stage live in `dir`. */
  checkpointer(dir: string): Checkpointer;
}

export interface HeadlineScores {
  /** Percentages; NaN when undefined. */
  seen: number;
  unseen: number;
  harmonic: number;
}

/** Accumulates predictions of one evaluation; `json` is written to the run folder. */
export interface EvaluationAccumulator {
  add(prediction: LabelMap, target: LabelMap, source: string): void;
  headline(): HeadlineScores;
  json(): unknown;
  /** A console table, a row per class. */
  table(): string;
}

/** Accumulates pseudo-label quality of one round against the hidden labels. */
export interface PseudoLabelQualityAccumulator {
  add(pseudo: LabelMap, target: LabelMap, hidden: LabelMap): void;
  json(): PseudoLabelQualityResult;
  table(): string;
}

export interface MetricsService {
  evaluator(classSpace: ClassSpace): EvaluationAccumulator;
  pseudoLabelQuality(classSpace: ClassSpace, round: number): PseudoLabelQualityAccumulator;
}
