import type { Tensor4D, Variable } from '@tensorflow/tfjs';
import type { TensorRecord } from './training';

/** A trainable variable and the role that decides its learning-rate multiplier and weight decay. */
export interface TrainableVariable {
  readonly variable: Variable;
  readonly role: 'backbone' | 'head';
  readonly isBias: boolean;
}

/**
 * Where a network's score grid sits on its input. STRICT's views line up only when the grid is mirror-symmetric:
 * cell j at input pixel stride·j on a (stride·k + 1)-pixel input, upsampled with corner-aligned bilinear
 * resizing (the authors' 321 = 8·40 + 1 crop). Half-pixel upsampling assumes cell centres that a stride-2,
 * pad-1 convolution does not produce, which shifts a mirrored view's scores against the identity's.
 */
export interface ModelGeometry {
  /** Input pixels per score cell. */
  readonly outputStride: number;
  /** Scores are upsampled corner-aligned (true) or with half-pixel centres (false). */
  readonly alignCorners: boolean;
}

/**
 * A whole segmentation network as the trainer and the pseudo-labelers see it: images in, class scores out,
 * over any subset of the class space's output indices (seen classes in supervised training, unseen classes
 * for a pseudo-label generator, all classes at test time).
 */
export interface SegmentationModel {
  readonly numClasses: number;
  /** How the score grid sits on the input (absent: half-pixel upsampling, stride unknown). */
  readonly geometry?: ModelGeometry;
  /** Scores [N, H, W, classes.length] at the input's resolution; `classes` defaults to all output indices. */
  forward(images: Tensor4D, training: boolean, classes?: readonly number[]): Tensor4D;
  trainable(): TrainableVariable[];
  /** Every variable a checkpoint must hold (trainable ones and batch-norm statistics), by stable name. */
  stateVariables(): Record<string, Variable>;
  /**
   * A trainer that runs each training step as one onnxruntime graph (forward, loss, gradients, update), for
   * models whose layers all emit ONNX. Absent, or resolving to undefined (a plugin layer without ONNX), means
   * training runs through tfjs autodiff.
   */
  graphTrainer?(request: GraphTrainerRequest): Promise<GraphTrainer | undefined>;
  /**
   * The same scores from the weights as they are now, as whole-graph inference, for a frozen pass (evaluation,
   * labelling by a frozen generator); undefined when the model cannot export itself. Disposing the view frees
   * only the view.
   */
  frozenView?(threads: number): SegmentationModel | undefined;
  /**
   * SPNet's multi-scale training outputs (`model.multiScale`, method.md §4.1), for a stage that trains on them:
   * the scores [N, h, w, classes.length] of the input at each configured scale on that scale's own score grid
   * (before any upsampling), in config order, then (with `max`) their element-wise maximum on the scale-1 grid.
   * The loss sums one masked cross-entropy per map, each against the labels resized nearest to its grid.
   * Absent or undefined: the model trains single-scale.
   */
  multiScaleScores?(images: Tensor4D, training: boolean, classes?: readonly number[]): Tensor4D[] | undefined;
  /**
   * The model as SPNet's reference evaluates it when it trained multi-scale: `forward` gives the max over the
   * scales' scores on the scale-1 grid, upsampled to the input. Undefined: it evaluates single-scale. A view:
   * disposing it frees nothing of the model.
   */
  multiScaleTestView?(): SegmentationModel | undefined;
  /**
   * Called once with the first training batch of a stage that starts from the model's initial weights: a
   * randomly initialised backbone with frozen batch norm estimates its statistics from it. True when it did.
   */
  initialiseUntrainedStatistics?(images: Tensor4D): boolean;
  dispose(): void;
}

/** What a graph trainer is built for: one batch shape, one class list, one optimiser. */
export interface GraphTrainerRequest {
  /** [N, H, W, C] of every batch the trainer takes. */
  batchShape: readonly [number, number, number, number];
  /** Output indices the loss covers, in score order. */
  classes: readonly number[];
  /** Train on the model's multi-scale outputs (see SegmentationModel.multiScaleScores) where it has them. */
  multiScale?: boolean;
  /** The variables to train, in optimiser-state order, with their update settings. */
  slots: readonly { variable: Variable; lrMultiplier: number; weightDecay: number }[];
  optimizer: { kind: 'sgd'; momentum: number } | { kind: 'adam'; beta1: number; beta2: number; epsilon: number };
  /** onnxruntime execution providers in order of preference, e.g. ['cuda', 'cpu']. */
  executionProviders: readonly string[];
  threads: number;
}

/** A model's training steps as onnxruntime graphs; parameters live in the session until written back. */
export interface GraphTrainer {
  /** One step on images [N, H, W, C] with per-pixel class positions (−1: ignored); returns the loss. */
  step(images: Float32Array, positions: Int32Array, lr: number): Promise<number>;
  /** Copies the trained parameters and batch-norm statistics into the model's variables. */
  writeBack(): void;
  /** Optimiser state with the tfjs optimisers' keys and layouts, so checkpoints resume on either path. */
  optimizerState(): TensorRecord;
  loadOptimizerState(state: TensorRecord): void;
  dispose(): Promise<void>;
}
