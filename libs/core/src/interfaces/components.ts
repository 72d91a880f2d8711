import type { Tensor4D, Variable } from '@tensorflow/tfjs';
import type { ClassSpace } from './class-space';
import type { LabelMap, Rng, SegSample } from './sample';
import type { SegmentationModel } from './model';

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

/**
 * The ONNX graph a component writes itself into: @zls/backend's OnnxGraphBuilder, named here by the two calls
 * every writer needs so that core does not depend on the backend. Implementations take the builder itself.
 */
export interface OnnxGraphWriter {
  /** A fresh value name. */
  temp(prefix?: string): string;
  addNode(opType: string, inputs: string[], outputs: string[]): unknown;
}

/** ONNX value names (NCHW) of a backbone's outputs. */
export interface OnnxBackboneOutput {
  features: string;
  lowLevel?: string;
}

/** A feature extractor: NHWC input → NHWC features at a declared stride and width. */
export interface Backbone {
  readonly outputStride: number;
  readonly outputChannels: number;
  readonly lowLevelChannels?: number;
  apply(input: Tensor4D, training: boolean): BackboneOutput;
  trainableVariables(): Variable[];
  /**
   * Writes the same computation into an ONNX graph from NCHW value `input`, with the weights as initializers.
   * Absent: the model trains through tfjs autodiff and cannot be exported or run as a frozen graph.
   */
  toOnnx?(g: OnnxGraphWriter, input: string): OnnxBackboneOutput;
  /**
   * Every variable (batch-norm statistics included) by a stable name, e.g. torchvision's 'layer1.0.conv1.weight':
   * checkpoint keys and weight import use them. Absent: checkpoints number the trainable variables instead.
   */
  namedVariables?(): Map<string, Variable>;
  dispose(): void;
}

/** Maps backbone features to per-pixel vectors (embedding-space features or class scores). */
export interface Head {
  readonly outputChannels: number;
  apply(features: BackboneOutput, training: boolean): Tensor4D;
  trainableVariables(): Variable[];
  /** Writes the same computation into an ONNX graph (see Backbone.toOnnx); absent: no export. */
  toOnnx?(g: OnnxGraphWriter, input: OnnxBackboneOutput): string;
  /** Every variable by a stable name (see Backbone.namedVariables). */
  namedVariables?(): Map<string, Variable>;
  dispose(): void;
}

/** One batch to pseudo-label: the frozen generator, the images and their training targets. */
export interface PseudoLabelRequest {
  readonly generator: SegmentationModel;
  /** Normalised images [N, H, W, C]. */
  readonly images: Tensor4D;
  /** Training targets in output-index space; IGNORE_INDEX pixels are the candidates. */
  readonly targets: readonly LabelMap[];
  /** Output indices of the unseen classes: the only labels a generator may give. */
  readonly unseenIndices: readonly number[];
}

/** Per-pixel proposals: a label (IGNORE_INDEX where none) and the generator's confidence in it. */
export interface PseudoLabelProposal {
  readonly labels: LabelMap;
  readonly confidence: Float32Array;
}

/**
 * Gives candidate pixels an unseen-class label or leaves them ignored. `propose` runs the generator on a
 * batch; `select` then decides over any set of proposals (one batch online, the whole training set when
 * labels are cached per round), which is where dataset-wide rules such as top-p per class apply.
 */
export interface PseudoLabeler {
  readonly name: string;
  /** The selection rule in words (e.g. which softmax ranks top-p), named in every table of a run. */
  readonly rule: string;
  /**
   * True when `select` decides each proposal on its own (argmax, STRICT's consistency): a whole-set labelling
   * pass then selects batch by batch and keeps no proposal, so its memory does not grow with the set. Absent or
   * false: `select` ranks over every proposal it is given (top-p), which must all be held until the end.
   */
  readonly selectsPerSample?: boolean;
  propose(request: PseudoLabelRequest): Promise<PseudoLabelProposal[]>;
  select(proposals: readonly PseudoLabelProposal[]): LabelMap[];
}

/** Backends are chosen at run time; this is what a chosen one reports about itself. */
export interface BackendInfo {
  readonly name: string;
  readonly detail: string;
}
