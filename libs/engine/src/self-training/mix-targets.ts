import { IGNORE_INDEX, type LabelMap } from '@zls/core';

/** The student's target: the human label where one exists, else the pseudo-label, else ignore. */
export function mixTargets(human: Uint8Array, pseudo: Uint8Array): Uint8Array {
  if (human.length !== pseudo.length) throw new Error(`target (${human.length}) and pseudo-labels (${pseudo.length}) differ in size`);
  const out = new Uint8Array(human.length);
  for (let p = 0; p < human.length; p++) out[p] = human[p] !== IGNORE_INDEX ? human[p] : pseudo[p];
  return out;
}

/** Candidate pixels for pseudo-labelling: those the training target leaves unlabelled. */
export function candidateMask(target: Uint8Array): Uint8Array {
  const mask = new Uint8Array(target.length);
  for (let p = 0; p < target.length; p++) mask[p] = target[p] === IGNORE_INDEX ? 1 : 0;
  return mask;
}

/** The horizontal mirror of a label map (cached pseudo-labels follow a flipped training sample). */
export function flipLabelMap(map: LabelMap): LabelMap {
  const { data, height, width } = map;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) out[row + x] = data[row + width - 1 - x];
  }
  return { data: out, height, width };
}
