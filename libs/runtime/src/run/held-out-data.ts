import { IGNORE_INDEX, type ClassInfo, type ClassSpace, type DataService, type LabelMap, type TrainingBatch } from '@zls/core';

/**
 * SPNet-c's fair calibration data: some seen classes play unseen. Their pixels are hidden from training
 * targets, they form the unseen set of the evaluation, and the true unseen classes drop out entirely (their
 * pixels ignored, never predicted), so no unseen label decides γ.
 */
export function heldOutDataService(base: DataService, heldOutIndices: readonly number[]): DataService {
  const space = base.classSpace;
  const held = new Set(heldOutIndices);
  for (const i of held) {
    if (!space.seenIndices.includes(i)) throw new Error(`held-out class index ${i} is not a seen class of ${space.name}`);
  }
  const trueUnseen = new Set(space.unseenIndices);
  const classes: ClassInfo[] = space.classes.map((c) => (held.has(c.index) ? { ...c, role: 'unseen' } : c));
  const view: ClassSpace = {
    ...space,
    name: `${space.name} (held-out seen: ${[...held].map((i) => space.classes[i].name).join(', ')})`,
    classes,
    seenIndices: space.seenIndices.filter((i) => !held.has(i)),
    unseenIndices: [...held],
    outputIndexOf: (id) => space.outputIndexOf(id),
    labelIdOf: (i) => space.labelIdOf(i),
  };
  const strip = (map: LabelMap, drop: (v: number) => boolean): LabelMap => ({
    data: map.data.map((v) => (drop(v) ? IGNORE_INDEX : v)),
    height: map.height,
    width: map.width,
  });
  const adapt = (b: TrainingBatch): TrainingBatch => ({
    ...b,
    targets: b.targets.map((t) => strip(t, (v) => held.has(v) || trueUnseen.has(v))),
    hidden: b.hidden.map((t) => strip(t, (v) => trueUnseen.has(v))),
  });
  return {
    classSpace: view,
    size: (role) => base.size(role),
    async trainingBatches(options) {
      const source = await base.trainingBatches(options);
      return { next: async () => adapt(await source.next()), close: () => source.close() };
    },
    async *pass(role, batchSize) {
      for await (const b of base.pass(role, batchSize)) yield adapt(b);
    },
  };
}
