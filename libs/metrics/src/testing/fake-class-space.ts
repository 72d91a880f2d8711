import { IGNORE_INDEX, type ClassInfo, type ClassRole, type ClassSpace } from '@zls/core';

/**
 * A plain ClassSpace for specs (the real one lives in @zls/data, which metrics may not import).
 * `classes` are in output order; label ids default to the output index.
 */
export function fakeClassSpace(name: string, classes: { name: string; role: ClassRole; labelId?: number }[], backgroundIndex?: number): ClassSpace {
  const infos: ClassInfo[] = classes.map((c, index) => ({ index, labelId: c.labelId ?? index, name: c.name, role: c.role }));
  const byId = new Map(infos.map((c) => [c.labelId, c.index]));
  return {
    name,
    numClasses: infos.length,
    classes: infos,
    seenIndices: infos.filter((c) => c.role === 'seen').map((c) => c.index),
    unseenIndices: infos.filter((c) => c.role === 'unseen').map((c) => c.index),
    backgroundIsClass: backgroundIndex !== undefined,
    backgroundIndex,
    embeddingDim: 1,
    embeddings: new Float32Array(infos.length).fill(1),
    outputIndexOf: (id: number) => byId.get(id) ?? IGNORE_INDEX,
    labelIdOf: (index: number) => infos[index].labelId,
  };
}

/** n classes named c0.., the given indices unseen, the rest seen. */
export function simpleSpace(n: number, unseen: readonly number[]): ClassSpace {
  return fakeClassSpace(
    `test-${n}`,
    Array.from({ length: n }, (_, i) => ({ name: `c${i}`, role: unseen.includes(i) ? ('unseen' as const) : ('seen' as const) })),
  );
}

export function labelMap(values: readonly number[], height = 1, width = values.length) {
  return { data: Uint8Array.from(values), height, width };
}
