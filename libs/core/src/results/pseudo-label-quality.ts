import { DataError } from '../errors';

/**
 * One unseen class's pseudo-label quality in one round, as results hold it. Ratios are 0–1, null where the
 * denominator is 0 (JSON has no NaN).
 */
export interface PseudoLabelClassQualityResult {
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
  /** correct / hiddenPixels: the share of this class's pixels that got the right pseudo-label. */
  coverage: number | null;
  /** Pixels of this class that got any pseudo-label, right or wrong / hiddenPixels. */
  labelledShare: number | null;
}

/** One round's pseudo-label quality against the hidden labels (the metrics library's report, NaN as null). */
export interface PseudoLabelQualityResult {
  classSpace: string;
  round: number | null;
  images: number;
  pixels: number;
  candidates: number;
  assigned: number;
  correct: number;
  /** correct / assigned, over every labelled candidate. */
  precision: number | null;
  /** The same, on pixels whose hidden label is an unseen class. */
  precisionOnUnseen: number | null;
  /** Correctly labelled unseen pixels / all unseen pixels (the prototype's "coverage of unseen px"). */
  coverage: number | null;
  /** Unseen pixels that got any pseudo-label / all unseen pixels. */
  labelledUnseen: number | null;
  /** Share of candidate pixels that got a label. */
  labelledCandidates: number | null;
  /** The same for candidates whose hidden label is not an unseen class (VOC default: background). */
  labelledNonUnseenCandidates: number | null;
  /** Per unseen class (empty in results written before they were recorded). */
  classes: PseudoLabelClassQualityResult[];
}

type Raw = Record<string, unknown>;

function ratio(raw: Raw, key: string, source: string): number | null {
  const v = raw[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number') throw new DataError(source, `"${key}" is ${JSON.stringify(v)}; expected a number or null`);
  return Number.isFinite(v) ? v : null;
}

function count(raw: Raw, key: string, source: string): number {
  return ratio(raw, key, source) ?? NaN;
}

/**
 * Results written before the rename call coverage `recall` and the any-label share `coverage`; they are told
 * apart by `recall`, which newer results never hold.
 */
function renamed(raw: Raw, newKey: 'coverage' | 'labelledShare' | 'labelledUnseen'): string {
  if (!('recall' in raw)) return newKey;
  return newKey === 'coverage' ? 'recall' : 'coverage';
}

function readClass(raw: unknown, source: string): PseudoLabelClassQualityResult {
  if (raw === null || typeof raw !== 'object') throw new DataError(source, `expected an object, got ${JSON.stringify(raw)}`);
  const r = raw as Raw;
  return {
    index: count(r, 'index', source),
    name: String(r['name'] ?? ''),
    assigned: count(r, 'assigned', source),
    correct: count(r, 'correct', source),
    hiddenPixels: count(r, 'hiddenPixels', source),
    precision: ratio(r, 'precision', source),
    coverage: ratio(r, renamed(r, 'coverage'), source),
    labelledShare: ratio(r, renamed(r, 'labelledShare'), source),
  };
}

/**
 * One round's quality as read from a results file, old or new: `recall` becomes `coverage` (and the old
 * `coverage` `labelledUnseen` / `labelledShare`); missing ratios are null, missing classes none. Idempotent.
 */
export function readPseudoLabelQuality(raw: unknown, source = 'pseudo-label quality'): PseudoLabelQualityResult {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new DataError(source, `expected a pseudo-label quality object, got ${JSON.stringify(raw)}`);
  }
  const r = raw as Raw;
  const classes = r['classes'];
  if (classes !== undefined && !Array.isArray(classes)) throw new DataError(source, `"classes" is ${JSON.stringify(classes)}; expected a list`);
  return {
    classSpace: String(r['classSpace'] ?? ''),
    round: ratio(r, 'round', source),
    images: count(r, 'images', source),
    pixels: count(r, 'pixels', source),
    candidates: count(r, 'candidates', source),
    assigned: count(r, 'assigned', source),
    correct: count(r, 'correct', source),
    precision: ratio(r, 'precision', source),
    precisionOnUnseen: ratio(r, 'precisionOnUnseen', source),
    coverage: ratio(r, renamed(r, 'coverage'), source),
    labelledUnseen: ratio(r, renamed(r, 'labelledUnseen'), source),
    labelledCandidates: ratio(r, 'labelledCandidates', source),
    labelledNonUnseenCandidates: ratio(r, 'labelledNonUnseenCandidates', source),
    classes: (classes ?? []).map((c, i) => readClass(c, `${source}: classes[${i}]`)),
  };
}
