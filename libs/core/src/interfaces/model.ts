import type { Tensor4D, Variable } from '@tensorflow/tfjs';

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
  dispose(): void;
}
