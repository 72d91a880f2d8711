import type { Tensor4D, Variable } from '@tensorflow/tfjs';
import type { ClassSpace } from './class-space';
import type { LabelMap, Rng, SegSample } from './sample';

/** A split of a segmentation dataset, already mapped into its class space. */
export interface SegDataset {
  readonly name: string;
  readonly split: string;
  readonly classSpace: ClassSpace;
  readonly ids: readonly string[];
  get(index: number): Promise<SegSample>;
}

/** A seeded, composable sample transform (geometry is applied to image, target and hidden together). */
export interface SampleTransform {
  apply(sample: SegSample, rng: Rng): SegSample;
}

export interface BackboneOutput {
  /** Deep features at 1/outputStride of the input. */
  readonly features: Tensor4D;
  /** Optional shallower features for decoders (DeepLabv3+). */
  readonly lowLevel?: Tensor4D;
}

/** A feature extractor: NHWC input → NHWC features at a declared stride and width. */
export interface Backbone {
  readonly outputStride: number;
  readonly outputChannels: number;
  readonly lowLevelChannels?: number;
  apply(input: Tensor4D, training: boolean): BackboneOutput;
  trainableVariables(): Variable[];
  dispose(): void;
}

/** Maps backbone features to per-pixel vectors (embedding-space features or class scores). */
export interface Head {
  readonly outputChannels: number;
  apply(features: BackboneOutput, training: boolean): Tensor4D;
  trainableVariables(): Variable[];
  dispose(): void;
}

/** What a pseudo-labeler sees for one batch: the images, their training targets and the candidate mask. */
export interface PseudoLabelRequest {
  readonly images: Tensor4D;
  readonly targets: readonly LabelMap[];
}

/** Gives unlabelled (candidate) pixels an unseen-class label or leaves them ignored. */
export interface PseudoLabeler {
  readonly name: string;
  label(request: PseudoLabelRequest): Promise<LabelMap[]>;
}

/** Backends are chosen at run time; this is what a chosen one reports about itself. */
export interface BackendInfo {
  readonly name: string;
  readonly detail: string;
}
