import { ZlsError, type ClassRole } from '@zls/core';
import { TableClassSpace, type ClassSpec } from '../class-space/class-space';
import { classNameKey } from '../embeddings/class-name-key';
import { classEmbeddings } from '../embeddings/class-embeddings';
import { vocDatasetClasses, VOC_BACKGROUND_LABEL_ID, type DatasetClass } from './dataset-classes';
import type { BackgroundMode, RealClassSpace } from './real-class-space';
import { spnetSplit, zs3VocUnseenNames, ZS3_UNSEEN_COUNTS, type Zs3UnseenCount } from './zero-label-splits';

export const VOC_CLASS_SPLITS = ['spnet', ...ZS3_UNSEEN_COUNTS.map((k) => `zs3-${k}`)] as const;
export type VocClassSplit = (typeof VOC_CLASS_SPLITS)[number];

export interface VocClassSpaceOptions {
  /** 'spnet' (SPNet/STRICT 15/5, the default) or 'zs3-K' (ZS3Net, K ∈ 2, 4, 6, 8, 10 unseen). */
  classSplit?: VocClassSplit;
  /** Default: 'ignore' for spnet (background is no class), 'class' for the ZS3 splits (21 classes). */
  background?: BackgroundMode;
  /** Shipped set name or file; default fastnvec. */
  embedding?: string;
  embeddingNames?: string;
  embeddingDim?: number;
}

/**
 * PASCAL VOC 2012 class spaces.
 * - spnet: output order [background?] + seen (12) + seen-val (3) + unseen (5), as SPNet/STRICT concatenate them.
 * - zs3-K: output order = label order (index = VOC id when background is a class), as ZS3Net's classifier.
 */
export function vocClassSpace(options: VocClassSpaceOptions = {}): RealClassSpace {
  const classSplit = options.classSplit ?? 'spnet';
  const all = vocDatasetClasses();
  const byId = new Map(all.map((c) => [c.labelId, c]));
  let ordered: { cls: DatasetClass; role: ClassRole }[];
  let background: BackgroundMode;
  if (classSplit === 'spnet') {
    background = options.background ?? 'ignore';
    const split = spnetSplit('voc12');
    const pick = (ids: readonly number[], role: ClassRole) => ids.map((id) => ({ cls: byId.get(id) as DatasetClass, role }));
    ordered = [...pick(split.seen, 'seen'), ...pick(split.seenVal, 'seen'), ...pick(split.unseen, 'unseen')];
  } else {
    background = options.background ?? 'class';
    const count = Number(classSplit.slice('zs3-'.length)) as Zs3UnseenCount;
    const unseen = new Set(zs3VocUnseenNames(count).map((name) => vocClassByName(all, name).labelId));
    ordered = all.filter((c) => c.labelId !== VOC_BACKGROUND_LABEL_ID).map((cls) => ({ cls, role: unseen.has(cls.labelId) ? 'unseen' : 'seen' }));
  }
  if (background === 'class') ordered.unshift({ cls: byId.get(VOC_BACKGROUND_LABEL_ID) as DatasetClass, role: 'seen' });
  const classes = ordered.map((o) => o.cls);
  const emb = classEmbeddings(classes, {
    dataset: 'voc12',
    embedding: options.embedding ?? 'fastnvec',
    namesFile: options.embeddingNames,
    expectedDim: options.embeddingDim,
  });
  const unseenCount = ordered.filter((o) => o.role === 'unseen').length;
  const specs: ClassSpec[] = ordered.map((o) => ({ labelId: o.cls.labelId, name: o.cls.name, role: o.role }));
  const space = new TableClassSpace({
    name: `voc12-${classSplit === 'spnet' ? `spnet-${ordered.length - unseenCount - (background === 'class' ? 1 : 0)}-${unseenCount}` : classSplit}${background === 'class' ? '-bkg' : ''}`,
    classes: specs,
    embeddings: emb.rows,
    embeddingDim: emb.dim,
    backgroundLabelId: background === 'class' ? VOC_BACKGROUND_LABEL_ID : undefined,
  });
  return { space, datasetLabelIds: all.map((c) => c.labelId) };
}

function vocClassByName(all: readonly DatasetClass[], name: string): DatasetClass {
  const key = classNameKey(name);
  const found = all.find((c) => [c.name, ...c.aliases].some((n) => classNameKey(n) === key));
  if (!found) throw new ZlsError(`ZS3 split names class "${name}", which is not a PASCAL VOC class`);
  return found;
}
