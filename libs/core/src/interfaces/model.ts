import type { Tensor4D, Variable } from '@tensorflow/tfjs';

/** A trainable variable and the role that decides its learning-rate multiplier and weight decay. */
export interface TrainableVariable {
  readonly variable: Variable;
  readonly role: 'backbone' | 'head';
  readonly isBias: boolean;
}

/**
 * A whole segmentation network as the trainer and the pseudo-labelers see it: images in, class scores out,
 * over any subset of the class space's output indices (seen classes in supervised training, unseen classes
 * for a pseudo-label generator, all classes at test time).
 */
export interface SegmentationModel {
  readonly numClasses: number;
  /** Scores [N, H, W, classes.length] at the input's resolution; `classes` defaults to all output indices. */
  forward(images: Tensor4D, training: boolean, classes?: readonly number[]): Tensor4D;
  trainable(): TrainableVariable[];
  /** Every variable a checkpoint must hold (trainable ones and batch-norm statistics), by stable name. */
  stateVariables(): Record<string, Variable>;
  dispose(): void;
}
