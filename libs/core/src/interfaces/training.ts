import type { ClassSpace } from './class-space';
import type { SegmentationModel } from './model';
import type { LabelMap } from './sample';

/** One batch ready for a model: normalised float32 images in NHWC order plus their label maps. */
export interface TrainingBatch {
  readonly ids: readonly string[];
  /** N × H × W × C values, already normalised. */
  readonly images: Float32Array;
  readonly shape: readonly [number, number, number, number];
  /** Training targets in output-index space (unseen classes masked), one per image. */
  readonly targets: readonly LabelMap[];
  /** Full labels (for pseudo-label quality), one per image. */
  readonly hidden: readonly LabelMap[];
}

/** An endless, seeded stream of training batches (the data library prefetches behind it). */
export interface BatchSource {
  next(): Promise<TrainingBatch>;
  close(): Promise<void>;
}

/** Named float32 arrays with their shapes: what a checkpoint holds besides its metadata. */
export type TensorRecord = Record<string, { data: Float32Array; shape: number[] }>;

export interface CheckpointMeta {
  configHash: string;
  classSpace: string;
  stage: string;
  round: number;
  step: number;
  [key: string]: unknown;
}

/** Where the trainer saves and finds checkpoints; the models library provides the file format. */
export interface Checkpointer {
  save(weights: TensorRecord, optimizer: TensorRecord, meta: CheckpointMeta): void;
  /** The newest checkpoint of a stage, or undefined when none was written. */
  latest(stage: string): { weights: TensorRecord; optimizer: TensorRecord; meta: CheckpointMeta } | undefined;
}

export interface FeatureGenerationContext {
  classSpace: ClassSpace;
  seed: number;
  /** One JSON record per optimisation step ({stage, step, loss}). */
  log?: (record: Record<string, unknown>) => void;
  /**
   * Train through onnxruntime training graphs (each step one graph) on these providers, as the supervised
   * stage and the students do when the backend chooses graphs; absent: tfjs autodiff.
   */
  graphs?: { executionProviders: readonly string[]; threads: number };
}

/**
 * ZS3Net's second stage on the frozen supervised network: learn to generate pixel features of a class from its
 * embedding (on seen classes), then retrain the final classifier on real seen and generated unseen features.
 */
export interface FeatureGenerationStage {
  run(model: SegmentationModel, trainingSet: AsyncIterable<TrainingBatch>, context: FeatureGenerationContext): Promise<void>;
}
