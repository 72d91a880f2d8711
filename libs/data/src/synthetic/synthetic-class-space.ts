import { TableClassSpace, type ClassSpec } from '../class-space/class-space';
import { syntheticEmbeddings } from './synthetic-embeddings';
import { BACKGROUND_LABEL_ID, NUM_OBJECT_CLASSES, RECIPE, UNSEEN_LABEL_IDS, classNameOf } from './synthetic-recipe';

/** 'ignore': background is label 255 and never a class (VOC default). 'class': background is a seen class (`--bkg`). */
export type SyntheticBackground = 'ignore' | 'class';

export interface SyntheticClassSpaceOptions {
  seed?: number;
  /** Embedding noise σ (default 1.0). */
  sigma?: number;
  background?: SyntheticBackground;
}

/**
 * The class space of the synthetic benchmark. Output order: [background (only in 'class' mode), seen classes by
 * label id, unseen classes by label id]; label id k = shape·4 + colour, background label id 20.
 */
export function syntheticClassSpace(options: SyntheticClassSpaceOptions = {}): TableClassSpace {
  const seed = options.seed ?? 0;
  const sigma = options.sigma ?? 1.0;
  const withBackground = (options.background ?? 'ignore') === 'class';
  const byLabelId = syntheticEmbeddings(seed, sigma, withBackground);
  const dim = RECIPE.embeddingDim;

  const objectIds = Array.from({ length: NUM_OBJECT_CLASSES }, (_, i) => i);
  const seen = objectIds.filter((id) => !UNSEEN_LABEL_IDS.includes(id));
  const unseen = objectIds.filter((id) => UNSEEN_LABEL_IDS.includes(id));
  const classes: ClassSpec[] = [
    ...(withBackground ? [{ labelId: BACKGROUND_LABEL_ID, name: classNameOf(BACKGROUND_LABEL_ID), role: 'seen' as const }] : []),
    ...seen.map((labelId) => ({ labelId, name: classNameOf(labelId), role: 'seen' as const })),
    ...unseen.map((labelId) => ({ labelId, name: classNameOf(labelId), role: 'unseen' as const })),
  ];
  const embeddings = new Float32Array(classes.length * dim);
  classes.forEach((c, row) => embeddings.set(byLabelId.subarray(c.labelId * dim, (c.labelId + 1) * dim), row * dim));
  return new TableClassSpace({
    name: withBackground ? 'synthetic-bkg' : 'synthetic',
    classes,
    embeddings,
    embeddingDim: dim,
    backgroundLabelId: withBackground ? BACKGROUND_LABEL_ID : undefined,
  });
}
