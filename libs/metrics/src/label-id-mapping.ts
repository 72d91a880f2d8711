import { DataError, IGNORE_INDEX, type ClassSpace, type LabelMap } from '@zls/core';

/**
 * Maps dataset label ids to output indices with a 256-entry table built from a ClassSpace, and rejects ids
 * that cannot occur in the dataset at all. Ids that are valid but not classes (VOC background when it is
 * ignored, 255) become IGNORE_INDEX.
 */
export class LabelIdMapping {
  private readonly table = new Uint8Array(256).fill(IGNORE_INDEX);
  private readonly valid = new Uint8Array(256);

  /**
   * @param validLabelIds ids that may appear in label files; default: the class ids of the space plus 255.
   */
  constructor(space: Pick<ClassSpace, 'classes' | 'outputIndexOf'>, validLabelIds?: Iterable<number>) {
    for (let id = 0; id < 256; id++) this.table[id] = id === IGNORE_INDEX ? IGNORE_INDEX : space.outputIndexOf(id);
    this.valid[IGNORE_INDEX] = 1;
    for (const c of space.classes) this.valid[c.labelId] = 1;
    if (validLabelIds) for (const id of validLabelIds) if (id >= 0 && id < 256) this.valid[id] = 1;
  }

  /** Output index of a dataset id (IGNORE_INDEX when it is not a class). */
  indexOf(labelId: number): number {
    return this.table[labelId];
  }

  /** A new label map in output-index space; `file` names the source in the error for an unknown id. */
  map(labels: LabelMap, file: string): LabelMap {
    const src = labels.data;
    if (src.length !== labels.height * labels.width) {
      throw new DataError(file, `label map holds ${src.length} values for ${labels.height}×${labels.width}`);
    }
    const out = new Uint8Array(src.length);
    const table = this.table;
    let invalid = 0;
    for (let i = 0; i < src.length; i++) {
      const v = src[i];
      out[i] = table[v];
      invalid += 1 - this.valid[v];
    }
    if (invalid > 0) {
      const first = src.findIndex((v) => this.valid[v] === 0);
      const allowed = [...this.valid.keys()].filter((id) => this.valid[id] === 1);
      throw new DataError(
        file,
        `${invalid} pixel(s) hold label ids outside the class space (first: ${src[first]} at x=${first % labels.width}, ` +
          `y=${Math.floor(first / labels.width)}); expected ${describeIds(allowed)}`,
      );
    }
    return { data: out, height: labels.height, width: labels.width };
  }
}

/** "0..20, 255" style list of sorted ids. */
export function describeIds(ids: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j] + 1) j++;
    parts.push(j > i ? `${ids[i]}..${ids[j]}` : String(ids[i]));
    i = j + 1;
  }
  return parts.join(', ');
}
