import { DataError, type LabelMap } from '@zls/core';
import type { LabelTables } from './label-tables';

export interface MappedLabels {
  target: LabelMap;
  hidden: LabelMap;
  /** Whether any pixel belongs to an unseen class (what ZS3Net's protocol drops images for). */
  hasUnseen: boolean;
}

/** Maps a label map of dataset values through the tables; a value the dataset does not define is an error. */
export function applyLabelTables(raw: LabelMap, tables: LabelTables, file: string): MappedLabels {
  const n = raw.width * raw.height;
  const target = new Uint8Array(n);
  const hidden = new Uint8Array(n);
  let hasUnseen = false;
  for (let i = 0; i < n; i++) {
    const v = raw.data[i];
    if (!tables.valid[v]) {
      throw new DataError(file, `label value ${v} at pixel (${i % raw.width}, ${Math.floor(i / raw.width)}) is not a class of this dataset nor 255 (ignore)`);
    }
    target[i] = tables.target[v];
    hidden[i] = tables.hidden[v];
    if (tables.unseen[v]) hasUnseen = true;
  }
  return {
    target: { data: target, width: raw.width, height: raw.height },
    hidden: { data: hidden, width: raw.width, height: raw.height },
    hasUnseen,
  };
}
