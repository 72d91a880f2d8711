import { IGNORE_INDEX, type ClassInfo, type ClassSpace } from '@zls/core';

/** Stripe colours and orientations: every class is one of each, so the attributes are shared between classes. */
export const STRIPE_COLOURS = ['red', 'green', 'blue'] as const;
export const STRIPE_ORIENTATIONS = ['horizontal', 'vertical', 'diagonal'] as const;

/** Label id 0 is background (ignored); class k (label id k + 1) is colour ⌊k / 3⌋ with orientation k mod 3. */
export const STRIPES_BACKGROUND_LABEL_ID = 0;
/** The unseen pair: each of their attributes also occurs in seen classes, which is what zero-label transfer needs. */
export const STRIPES_UNSEEN_NAMES: readonly string[] = ['green diagonal', 'blue vertical'];

export interface StripeClass {
  readonly labelId: number;
  readonly name: string;
  readonly colour: number;
  readonly orientation: number;
}

export const STRIPE_CLASSES: readonly StripeClass[] = STRIPE_COLOURS.flatMap((c, ci) =>
  STRIPE_ORIENTATIONS.map((o, oi) => ({ labelId: 3 * ci + oi + 1, name: `${c} ${o}`, colour: ci, orientation: oi })),
);

/**
 * The dataset's class space: seen classes first, then unseen (the output order zls's built-ins use). A class's
 * embedding is its attribute vector (one-hot colour ⊕ one-hot orientation), L2-normalised: the semantic side
 * information a zero-label method transfers to unseen classes.
 */
export function stripesClassSpace(): ClassSpace {
  const ordered = [...STRIPE_CLASSES.filter((c) => !STRIPES_UNSEEN_NAMES.includes(c.name)), ...STRIPE_CLASSES.filter((c) => STRIPES_UNSEEN_NAMES.includes(c.name))];
  const classes: ClassInfo[] = ordered.map((c, index) => ({ index, labelId: c.labelId, name: c.name, role: STRIPES_UNSEEN_NAMES.includes(c.name) ? 'unseen' : 'seen' }));
  const dim = STRIPE_COLOURS.length + STRIPE_ORIENTATIONS.length;
  const embeddings = new Float32Array(classes.length * dim);
  ordered.forEach((c, i) => {
    embeddings[i * dim + c.colour] = Math.SQRT1_2;
    embeddings[i * dim + STRIPE_COLOURS.length + c.orientation] = Math.SQRT1_2;
  });
  const indexOfLabel = new Map(classes.map((c) => [c.labelId, c.index]));
  return {
    name: 'stripes',
    numClasses: classes.length,
    classes,
    seenIndices: classes.filter((c) => c.role === 'seen').map((c) => c.index),
    unseenIndices: classes.filter((c) => c.role === 'unseen').map((c) => c.index),
    backgroundIsClass: false,
    backgroundIndex: undefined,
    embeddingDim: dim,
    embeddings,
    outputIndexOf: (labelId) => indexOfLabel.get(labelId) ?? IGNORE_INDEX,
    labelIdOf: (index) => {
      const c = classes[index];
      if (!c) throw new RangeError(`stripes: no class at output index ${index}`);
      return c.labelId;
    },
  };
}
