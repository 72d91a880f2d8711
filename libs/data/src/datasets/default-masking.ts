/** Split names that are evaluated on: their targets keep the unseen classes. Any other split is masked. */
const EVALUATION_SPLITS = new Set(['val', 'val2017', 'test', 'test2017']);

/** Masking is on unless the split is a known evaluation split: an unknown list never leaks unseen labels. */
export function masksUnseenByDefault(split: string): boolean {
  return !EVALUATION_SPLITS.has(split);
}
