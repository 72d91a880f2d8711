import { IGNORE_INDEX, ZlsError, type ClassSpace } from '@zls/core';

/**
 * What happens to unseen-class pixels of TRAINING targets:
 * - 'ignore': they become ignore and the image is kept (SPNet/STRICT);
 * - 'drop-image': images with any unseen pixel are left out (ZS3Net stage 1);
 * - 'background': they become background, which must then be a class (STRICT `--bkg`).
 */
export const UNSEEN_PIXEL_MODES = ['ignore', 'drop-image', 'background'] as const;
export type UnseenPixelMode = (typeof UNSEEN_PIXEL_MODES)[number];

/** 256-entry lookup tables from dataset label values: the one place where unseen classes get masked. */
export interface LabelTables {
  /** Label value → output index with every class visible (IGNORE_INDEX where no class). */
  readonly hidden: Uint8Array;
  /** Label value → output index that training may see. */
  readonly target: Uint8Array;
  /** 1 where the value may occur in the dataset's label maps (its label ids and 255). */
  readonly valid: Uint8Array;
  /** 1 where the value belongs to an unseen class. */
  readonly unseen: Uint8Array;
}

/**
 * @param maskUnseen false for evaluation splits: their target equals the hidden labels.
 */
export function buildLabelTables(
  space: ClassSpace,
  datasetLabelIds: readonly number[],
  mode: UnseenPixelMode,
  maskUnseen: boolean,
): LabelTables {
  const hidden = new Uint8Array(256).fill(IGNORE_INDEX);
  const valid = new Uint8Array(256);
  const unseen = new Uint8Array(256);
  valid[IGNORE_INDEX] = 1;
  for (const id of datasetLabelIds) valid[id] = 1;
  for (const c of space.classes) {
    if (!valid[c.labelId]) throw new ZlsError(`class space ${space.name}: class "${c.name}" has label ${c.labelId}, which the dataset does not define`);
    hidden[c.labelId] = c.index;
    if (c.role === 'unseen') unseen[c.labelId] = 1;
  }
  const target = Uint8Array.from(hidden);
  if (maskUnseen) {
    if (mode === 'background' && space.backgroundIndex === undefined) {
      throw new ZlsError(`unseen pixels cannot become background in ${space.name}: background is not a class there (use background: class)`);
    }
    const replacement = mode === 'background' ? (space.backgroundIndex as number) : IGNORE_INDEX;
    for (let id = 0; id < 256; id++) if (unseen[id]) target[id] = replacement;
  }
  return { hidden, target, valid, unseen };
}
