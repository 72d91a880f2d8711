import { IGNORE_INDEX } from '@zls/core';

/** The student's target: the human label where one exists, else the pseudo-label, else ignore. */
export function mixTargets(human: Uint8Array, pseudo: Uint8Array): Uint8Array {
  if (human.length !== pseudo.length) throw new Error(`target (${human.length}) and pseudo-labels (${pseudo.length}) differ in size`);
  const out = new Uint8Array(human.length);
  for (let p = 0; p < human.length; p++) out[p] = human[p] !== IGNORE_INDEX ? human[p] : pseudo[p];
  return out;
}
