/** Label value meaning "no label" in dataset label maps and in output-index targets alike. */
export const IGNORE_INDEX = 255;

export type ClassRole = 'seen' | 'unseen';

export interface ClassInfo {
  /** Output index of the model's score channel for this class. */
  readonly index: number;
  /** The value that stands for this class in the dataset's label maps. */
  readonly labelId: number;
  readonly name: string;
  readonly role: ClassRole;
}

/**
 * The single owner of index bookkeeping: dataset label ids ⇄ model output indices, the seen and unseen
 * sets, class names, and the class embeddings in output order. Nothing else maps ids by hand.
 */
export interface ClassSpace {
  readonly name: string;
  /** Number of output channels (seen + unseen, background included when it is a class). */
  readonly numClasses: number;
  /** Classes in output order. */
  readonly classes: readonly ClassInfo[];
  readonly seenIndices: readonly number[];
  readonly unseenIndices: readonly number[];
  /** True when background is a seen class (the reference code's `--bkg` mode). */
  readonly backgroundIsClass: boolean;
  /** Output index of background when it is a class, else undefined. */
  readonly backgroundIndex: number | undefined;
  readonly embeddingDim: number;
  /** Row-major numClasses × embeddingDim matrix, rows in output order, each row L2-normalised. */
  readonly embeddings: Float32Array;
  /** Output index of a dataset label id, or IGNORE_INDEX when the id is not a class here. */
  outputIndexOf(labelId: number): number;
  labelIdOf(index: number): number;
}
