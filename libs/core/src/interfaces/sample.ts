/** An image in height × width × channels order. uint8 as decoded, float32 once normalised. */
export interface ImageBuffer {
  readonly data: Uint8Array | Float32Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** A label map of output indices (or dataset ids before mapping), IGNORE_INDEX where unlabelled. */
export interface LabelMap {
  readonly data: Uint8Array;
  readonly height: number;
  readonly width: number;
}

/** One training or evaluation example in output-index space. */
export interface SegSample {
  readonly id: string;
  readonly image: ImageBuffer;
  /** What a model may learn from: on training splits the unseen classes are already masked. */
  readonly target: LabelMap;
  /** The full labels, unseen classes included: for evaluation and pseudo-label quality, never for training. */
  readonly hidden: LabelMap;
}

/** A seeded source of uniform numbers in [0, 1). */
export interface Rng {
  next(): number;
}
