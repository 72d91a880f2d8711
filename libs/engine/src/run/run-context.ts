import type {
  DataService,
  ExperimentSchema,
  FeatureGenerationStage,
  MetricsService,
  ModelService,
  Plain,
  PseudoLabeler,
  SegmentationModel,
} from '@zls/core';
import type { GraphTrainingOptions } from '../train/step-runners';
import type { CalibrationOutcome, RunResult, StageOutcome } from './run-result';
import type { StageLockOptions, StageLocks } from './stage-lock';
import type { StageRegistry } from './stage-registry';

export interface RunServices {
  data: DataService;
  models: ModelService;
  metrics: MetricsService;
  /** The experiment's pseudo-labeler (required when selfTraining.rounds > 0). */
  labeler?: PseudoLabeler;
  /** Data whose class space hides calibration.heldOutClasses (required by the held-out-seen rule). */
  heldOutData?: DataService;
  /** ZS3Net's generative stage, run after the supervised one when the experiment has a `generative` section. */
  featureGeneration?: FeatureGenerationStage;
}

export interface RunExperimentOptions {
  /** The validated experiment (validateExperiment): what the run reads. */
  experiment: ExperimentSchema;
  /** The same config as written, kept only for hashing (stage keys, the result's configHash). */
  config: Plain;
  services: RunServices;
  /** This run's folder: results, metrics, logs. */
  runDir: string;
  /** Shared folder of stage checkpoints, keyed by stage identity (reused across runs). */
  stageRoot: string;
  /** Console output (progress goes to stderr). */
  print?: (line: string) => void;
  showProgress?: boolean;
  /** Aborting it (SIGINT) makes the running stage save a checkpoint and stop; a rerun resumes. */
  signal?: AbortSignal;
  /** Train through onnxruntime graphs (where the model builds them); absent: tfjs autodiff. */
  graphs?: GraphTrainingOptions;
  /** Stage folder locks (two processes never write one stage): wait for another writer (default) or refuse. */
  stageLocks?: Pick<StageLockOptions, 'wait' | 'pollMs' | 'liveness'>;
  /** The stage kinds, in pipeline order (default: the built-in ones; the composition root adds plugins' kinds). */
  stages?: StageRegistry;
}

/**
 * What the stages of one run share. The fixed part is the run's setup; the rest is the chain's state, which each
 * stage reads and moves on: the model the next stage starts from, the key of the stage it came from, the scored
 * outcomes so far.
 */
export interface RunContext {
  readonly options: RunExperimentOptions;
  readonly experiment: ExperimentSchema;
  /** The raw config: for stage keys only. */
  readonly config: Plain;
  readonly services: RunServices;
  readonly print: (line: string) => void;
  readonly locks: StageLocks;
  /** A stage job: stop once the stage with this key is trained; nothing is scored, no results are written. */
  readonly stopAfter?: string;
  /** The model the next stage starts from (the pipeline disposes the last one). */
  model?: SegmentationModel;
  /** The key of the chain stage `model` came from. */
  previousKey?: string;
  /** Whether `model` is still the supervised stage's (calibration then scores it as that stage was scored). */
  supervised: boolean;
  /** Every scored stage, in order; the last one's scores are the run's headline. */
  readonly outcomes: StageOutcome[];
  readonly quality: RunResult['pseudoLabelQuality'];
  calibration?: CalibrationOutcome;
  /** Set when a stage job's stage is trained: the pipeline runs no further stage. */
  stopped: boolean;
}
