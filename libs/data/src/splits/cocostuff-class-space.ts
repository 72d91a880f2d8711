import type { ClassRole } from '@zls/core';
import { TableClassSpace } from '../class-space/class-space';
import { classEmbeddings } from '../embeddings/class-embeddings';
import { cocostuffDatasetClasses, type DatasetClass } from './dataset-classes';
import type { RealClassSpace } from './real-class-space';
import { spnetSplit } from './zero-label-splits';

export interface CocostuffClassSpaceOptions {
  /**
   * 'drop' (default): the 11 thing ids COCO-Stuff never annotates are no output channels and read as ignore,
   * giving 171 classes (156 seen + 15 unseen). 'keep': 182 channels, as the SPNet/STRICT code.
   */
  neverAnnotated?: 'drop' | 'keep';
  embedding?: string;
  embeddingNames?: string;
  embeddingDim?: number;
}

/** COCO-Stuff-164k, SPNet split; output order seen (file order) + seen-val (12) + unseen (15). */
export function cocostuffClassSpace(options: CocostuffClassSpaceOptions = {}): RealClassSpace {
  const all = cocostuffDatasetClasses();
  const byId = new Map(all.map((c) => [c.labelId, c]));
  const keep = options.neverAnnotated === 'keep';
  const split = spnetSplit('cocostuff');
  const pick = (ids: readonly number[], role: ClassRole) =>
    ids.map((id) => ({ cls: byId.get(id) as DatasetClass, role })).filter((o) => keep || !o.cls.neverAnnotated);
  const ordered = [...pick(split.seen, 'seen'), ...pick(split.seenVal, 'seen'), ...pick(split.unseen, 'unseen')];
  const classes = ordered.map((o) => o.cls);
  const emb = classEmbeddings(classes, {
    dataset: 'cocostuff',
    embedding: options.embedding ?? 'fastnvec',
    namesFile: options.embeddingNames,
    expectedDim: options.embeddingDim,
  });
  const space = new TableClassSpace({
    name: `cocostuff-${ordered.length}`,
    classes: ordered.map((o) => ({ labelId: o.cls.labelId, name: o.cls.name, role: o.role })),
    embeddings: emb.rows,
    embeddingDim: emb.dim,
  });
  return { space, datasetLabelIds: all.map((c) => c.labelId) };
}
