/**
 * One unseen class's pseudo-label quality as a run's results.json holds it (PseudoLabelQualityReport's
 * `classes`; its NaN ratios are null there). Only the fields the tables and the report read.
 */
export interface PseudoLabelClassCounts {
  index: number;
  name: string;
  /** Candidate pixels given this class. */
  assigned: number;
  /** Of those, pixels whose hidden label is this class. */
  correct: number;
  /** All pixels whose hidden label is this class. */
  hiddenPixels: number;
  /** correct / assigned. */
  precision: number | null;
  /** correct / hiddenPixels: what every table of this project calls "coverage". */
  recall: number | null;
}

/** The per-class entries of one round's quality JSON (none for results written before they existed). */
export function pseudoLabelClasses(quality: unknown): PseudoLabelClassCounts[] {
  const classes = (quality as { classes?: unknown } | null)?.classes;
  return Array.isArray(classes) ? (classes as PseudoLabelClassCounts[]) : [];
}

/**
 * A class's pseudo-labels scored as a segmentation of it: correct / (assigned + hiddenPixels − correct), true
 * positives over the union of labelled and hidden pixels; null when the class is neither present nor labelled.
 */
export function pseudoLabelIoU(c: Pick<PseudoLabelClassCounts, 'assigned' | 'correct' | 'hiddenPixels'>): number | null {
  const union = c.assigned + c.hiddenPixels - c.correct;
  return union > 0 ? c.correct / union : null;
}
