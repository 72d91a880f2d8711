import { IGNORE_INDEX, ZlsError, type ClassInfo, type ClassRole, type ClassSpace } from '@zls/core';

export interface ClassSpec {
  labelId: number;
  name: string;
  role: ClassRole;
}

export interface ClassSpaceSpec {
  name: string;
  /** Classes in output order (the caller decides it, e.g. background?, seen, seen-val, unseen). */
  classes: readonly ClassSpec[];
  /** Row-major classes.length × dim, rows in the same order as `classes`; rows are L2-normalised here. */
  embeddings: Float32Array;
  embeddingDim: number;
  backgroundLabelId?: number;
}

/** The one implementation of ClassSpace: built once per run from a split and an embedding set. */
export class TableClassSpace implements ClassSpace {
  readonly name: string;
  readonly numClasses: number;
  readonly classes: readonly ClassInfo[];
  readonly seenIndices: readonly number[];
  readonly unseenIndices: readonly number[];
  readonly backgroundIsClass: boolean;
  readonly backgroundIndex: number | undefined;
  readonly embeddingDim: number;
  readonly embeddings: Float32Array;
  private readonly idToIndex = new Map<number, number>();

  constructor(spec: ClassSpaceSpec) {
    const { classes, embeddingDim } = spec;
    if (classes.length === 0) throw new ZlsError(`class space ${spec.name}: no classes`);
    if (classes.length >= IGNORE_INDEX) {
      throw new ZlsError(`class space ${spec.name}: ${classes.length} classes; at most ${IGNORE_INDEX - 1} fit in a uint8 label map`);
    }
    if (spec.embeddings.length !== classes.length * embeddingDim) {
      throw new ZlsError(
        `class space ${spec.name}: embeddings hold ${spec.embeddings.length} values, expected ${classes.length} × ${embeddingDim}`,
      );
    }
    this.name = spec.name;
    this.numClasses = classes.length;
    this.embeddingDim = embeddingDim;
    this.classes = classes.map((c, index) => {
      if (this.idToIndex.has(c.labelId)) throw new ZlsError(`class space ${spec.name}: label id ${c.labelId} listed twice`);
      if (!Number.isInteger(c.labelId) || c.labelId < 0 || c.labelId >= IGNORE_INDEX) {
        throw new ZlsError(`class space ${spec.name}: label id ${c.labelId} of "${c.name}" is not in 0..254`);
      }
      this.idToIndex.set(c.labelId, index);
      return Object.freeze({ index, labelId: c.labelId, name: c.name, role: c.role });
    });
    this.seenIndices = this.classes.filter((c) => c.role === 'seen').map((c) => c.index);
    this.unseenIndices = this.classes.filter((c) => c.role === 'unseen').map((c) => c.index);
    this.backgroundIndex = spec.backgroundLabelId === undefined ? undefined : this.idToIndex.get(spec.backgroundLabelId);
    this.backgroundIsClass = this.backgroundIndex !== undefined;
    this.embeddings = normaliseRows(spec.embeddings, classes.length, embeddingDim, spec.name, classes);
  }

  outputIndexOf(labelId: number): number {
    return this.idToIndex.get(labelId) ?? IGNORE_INDEX;
  }

  labelIdOf(index: number): number {
    const c = this.classes[index];
    if (!c) throw new ZlsError(`class space ${this.name}: output index ${index} outside 0..${this.numClasses - 1}`);
    return c.labelId;
  }

  /** 256-entry table: dataset label id → output index (IGNORE_INDEX for ids that are not classes here). */
  lookupTable(): Uint8Array {
    const lut = new Uint8Array(256).fill(IGNORE_INDEX);
    for (const c of this.classes) lut[c.labelId] = c.index;
    return lut;
  }

  /** Embedding row of one output index (a view, not a copy). */
  embeddingOf(index: number): Float32Array {
    return this.embeddings.subarray(index * this.embeddingDim, (index + 1) * this.embeddingDim);
  }
}

function normaliseRows(
  src: Float32Array,
  rows: number,
  dim: number,
  space: string,
  classes: readonly ClassSpec[],
): Float32Array {
  const out = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) {
    let sq = 0;
    for (let d = 0; d < dim; d++) {
      const v = src[r * dim + d];
      if (!Number.isFinite(v)) throw new ZlsError(`class space ${space}: embedding of "${classes[r].name}" has a non-finite value`);
      sq += v * v;
    }
    const norm = Math.sqrt(sq);
    if (norm === 0) throw new ZlsError(`class space ${space}: embedding of "${classes[r].name}" is all zeros`);
    for (let d = 0; d < dim; d++) out[r * dim + d] = src[r * dim + d] / norm;
  }
  return out;
}
