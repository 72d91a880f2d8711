import type { PseudoLabelClassQualityResult } from '@zls/core';

/** The counts of one unseen class's pseudo-label quality entry: the same in results of every version. */
export type PseudoLabelClassCounts = Pick<PseudoLabelClassQualityResult, 'index' | 'name' | 'assigned' | 'correct' | 'hiddenPixels'>;

/**
 * The per-class entries of one round's quality JSON exactly as stored (none for results written before they
 * existed). Their ratios keep the names of the version that wrote them; `readPseudoLabelQuality` (@zls/core)
 * reads them into the current schema.
 */
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
