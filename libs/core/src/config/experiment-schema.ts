import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  Allow,
  ArrayContains,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

/** Optimisation schedule of one training stage. */
export class TrainSection {
  @IsInt() @Min(1) iterations = 1000;
  @IsInt() @Min(1) batchSize = 16;
  @IsIn(['sgd', 'adam']) optimizer: 'sgd' | 'adam' = 'sgd';
  @IsNumber() @IsPositive() lr = 2.5e-4;
  @IsNumber() @Min(0) @Max(1) momentum = 0.9;
  @IsNumber() @Min(0) weightDecay = 5e-4;
  @IsIn(['poly', 'cosine', 'constant']) lrPolicy: 'poly' | 'cosine' | 'constant' = 'poly';
  @IsNumber() @IsPositive() lrPower = 0.9;
  /** Recompute the learning rate every N steps (the reference code: 10). */
  @IsInt() @Min(1) lrUpdateEvery = 1;
  /** DeepLab multipliers: head weights 10×, head biases 20× without weight decay. */
  @IsBoolean() headLrMultipliers = true;
  /** Save a checkpoint every N steps; 0 saves only at the end. */
  @IsInt() @Min(0) checkpointEvery = 0;
  /**
   * Stop the stage when, within its first 100 steps, the loss exceeds its first value × this factor: weights
   * that diverge (a random initialisation where the protocol needs pretrained ones, a learning rate too high)
   * while the loss stays finite. 0 turns the check off.
   */
  @IsNumber() @Min(0) divergenceFactor = 1000;
}

/** Self-training after the supervised stage: rounds of pseudo-labelling and student training. */
export class SelfTrainingSection {
  /** 0: plain SPNet. Round r's generator is round r−1's student (round 1's is the SPNet). */
  @IsInt() @Min(0) @Max(20) rounds = 0;
  /** `cached`: label the training set once per round; `online`: label every augmented batch. */
  @IsIn(['cached', 'online']) labelling: 'cached' | 'online' = 'cached';
  @Allow() pseudoLabel?: unknown;
  /** Each student's schedule (a fresh optimiser every round). */
  @IsObject() @ValidateNested() @Type(() => TrainSection) train = new TrainSection();
}

/** SPNet-c: subtract γ from seen-class probabilities at test time, γ chosen from `gammas` by `rule`. */
export class CalibrationSection {
  /**
   * none: γ = 0. held-out-seen (fair): train a second SPNet with `heldOutClasses` hidden, pick the γ that
   * maximises its harmonic mIoU with them as unseen. oracle-val: pick γ on the calibration split's unseen
   * labels (optimistic; marked "oracle" in every table).
   */
  @IsIn(['none', 'held-out-seen', 'oracle-val']) rule: 'none' | 'held-out-seen' | 'oracle-val' = 'none';
  /** The γ swept by either rule: 0, 0.05, …, 0.95, 0.97, 0.99 unless the file says otherwise (with rule none, unused). */
  @IsArray() @IsNumber({}, { each: true }) @Min(0, { each: true }) @Max(1, { each: true })
  gammas: number[] = [...Array.from({ length: 20 }, (_, i) => Math.round(i * 5) / 100), 0.97, 0.99];
  /** Dataset label ids of the seen classes treated as unseen by held-out-seen (e.g. VOC's seen-val classes). */
  @IsArray() @IsInt({ each: true }) heldOutClasses: number[] = [];
}

export class SplitsSection {
  @IsString() train = 'train';
  @IsString() eval = 'test';
  @IsString() calibration = 'val';
}

export class EvalSection {
  @IsInt() @Min(1) batchSize = 16;
  /** Count at warpSize × warpSize (the reference's 513 protocol); 0: at the labels' own resolution. */
  @IsInt() @Min(0) warpSize = 0;
  @IsIn(['spnet', 'zs3']) nanConvention: 'spnet' | 'zs3' = 'spnet';
  /** Predictions (and pseudo-labels) of this many images are kept for the report's qualitative examples. */
  @IsInt() @Min(0) @Max(64) examples = 4;
}

export class LoaderSection {
  /** Decoding/augmentation threads; 0 loads in the training thread. */
  @IsInt() @Min(0) @Max(16) workers = 1;
}

/**
 * SPNet's multi-scale training (the reference's MSC wrapper, method.md §4.1): the network also runs on the input
 * bilinearly resized by each scale (floor of size × scale, as the reference's int()), and the supervised loss
 * sums one masked cross-entropy per scale's scores, each on its own score grid, plus (`max`) one on the
 * element-wise max of them all on the scale-1 grid; labels are resized nearest to each grid. Self-training
 * students train single-scale (STRICT's code). `test: max` evaluates the supervised model as the reference's
 * eval.py does, on the max over the scales.
 */
export class MultiScaleSection {
  /** Input scales; 1 must be among them (its score grid is where the smaller scales' scores are maxed). */
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique({ message: 'elements must be unique' })
  @ArrayContains([1], { message: 'must contain 1 (the full-scale input, whose grid the max is taken on)' })
  @IsNumber({}, { each: true })
  @IsPositive({ each: true })
  scales: number[] = [1, 0.5, 0.75];
  /** Add the cross-entropy of the element-wise max over the scales (the reference's fourth term). */
  @IsBoolean() max = true;
  /** Evaluation of the supervised model: `max` (the max-fused scores, the reference) or `single-scale`. */
  @IsIn(['max', 'single-scale']) test: 'max' | 'single-scale' = 'max';
}

/** The model: a backbone and a head, each a registered component (validated by its registry). */
export class ModelSection {
  @Allow() backbone?: unknown;
  @Allow() head?: unknown;
  /** `embeddings` (SPNet: fixed class embeddings) or `linear` (a learnt 1×1 classifier, DeepLab/ZS3Net). */
  @IsOptional() @IsIn(['embeddings', 'linear']) classifier?: 'embeddings' | 'linear';
  /** Bilinear upsampling of the scores: `half-pixel` (default) or `align-corners` (mirror-aligned on stride·k + 1 inputs). */
  @IsOptional() @IsIn(['half-pixel', 'align-corners']) upsampling?: 'half-pixel' | 'align-corners';
  /** SPNet's multi-scale training and test (absent: single-scale). */
  @IsOptional() @IsObject() @ValidateNested() @Type(() => MultiScaleSection) multiScale?: MultiScaleSection;
}

/**
 * The top level of an experiment file (after `_base_` merging and `--set` overrides). Every section has its
 * defaults, so the typed experiment (validateExperiment) holds every value a run reads; what a file leaves out
 * stays out of the raw config, which alone is hashed (run folders, stage keys).
 */
export class ExperimentSchema {
  @IsString() @Matches(/^[\w.+-]+$/, { message: 'may contain only letters, digits, "_", ".", "+" and "-"' }) name = 'experiment';
  @IsInt() @Min(0) seed = 0;
  /** Plugin packages imported (and registered) before the rest of the config is validated. */
  @IsArray() @IsString({ each: true }) plugins: string[] = [];
  /** `auto` or a backend name (see `zls doctor`). */
  @IsString() backend = 'auto';
  /** Train a backbone that requires pretrained weights (`requireWeights`) from random initialisation anyway. */
  @IsBoolean() allowRandomInit = false;
  @Allow() dataset?: unknown;
  @IsObject() @ValidateNested() @Type(() => SplitsSection) splits = new SplitsSection();
  /** Training augmentation, applied in order (registered transforms). */
  @Allow() transforms?: unknown;
  /** Evaluation preprocessing (no randomness). */
  @Allow() evalTransforms?: unknown;
  @IsObject() @ValidateNested() @Type(() => ModelSection) model = new ModelSection();
  /** The supervised (SPNet) stage. */
  @IsObject() @ValidateNested() @Type(() => TrainSection) train = new TrainSection();
  /** ZS3Net's generative stage after the supervised one (a registered generator, e.g. `gmmn`). */
  @Allow() generative?: unknown;
  @IsObject() @ValidateNested() @Type(() => SelfTrainingSection) selfTraining = new SelfTrainingSection();
  @IsObject() @ValidateNested() @Type(() => CalibrationSection) calibration = new CalibrationSection();
  @IsObject() @ValidateNested() @Type(() => EvalSection) eval = new EvalSection();
  @IsObject() @ValidateNested() @Type(() => LoaderSection) loader = new LoaderSection();
}

/** Where registered components sit in the experiment tree, and which registry validates each. */
export interface ComponentSlot {
  path: string;
  kind: string;
  required: boolean;
  list?: boolean;
}

export const COMPONENT_SLOTS: readonly ComponentSlot[] = [
  { path: 'dataset', kind: 'dataset', required: true },
  { path: 'model.backbone', kind: 'backbone', required: false },
  { path: 'model.head', kind: 'head', required: false },
  { path: 'transforms', kind: 'transform', required: false, list: true },
  { path: 'evalTransforms', kind: 'transform', required: false, list: true },
  { path: 'generative', kind: 'generator', required: false },
  { path: 'selfTraining.pseudoLabel', kind: 'pseudo-labeler', required: false },
];
