import { DataError, IGNORE_INDEX, ZlsError, type LabelMap } from '@zls/core';
import type { MetricClassSpace } from './class-space-view';
import { alignColumns, formatPercent } from './format-table';

/** Per unseen class: how good the pseudo-labels of that class are. */
export interface PseudoLabelClassQuality {
  index: number;
  name: string;
  /** Candidate pixels given this class. */
  assigned: number;
  /** Of those, pixels whose hidden label is this class. */
  correct: number;
  /** All pixels whose hidden label is this class (candidates or not). */
  hiddenPixels: number;
  /** correct / assigned. */
  precision: number;
  /** correct / hiddenPixels: the share of this class's pixels that got the right pseudo-label. */
  coverage: number;
  /** Pixels of this class (hidden label) that got any pseudo-label, right or wrong / hiddenPixels. */
  labelledShare: number;
}

/**
 * Pseudo-label quality over a set of images (one round of self-training), against the hidden labels that
 * unseen-class masking removed. Definitions follow the synthetic-benchmark prototype (§4):
 * - precision: correct / assigned, over every labelled candidate pixel (in the VOC-default protocol this
 *   includes background pixels, which can never be correct);
 * - precisionOnUnseen: the same, restricted to pixels whose hidden label is an unseen class;
 * - coverage: correctly labelled unseen-class pixels / all unseen-class pixels (the prototype's "coverage of
 *   unseen px"; results written before it had this name call it `recall`);
 * - labelledUnseen: unseen-class pixels that got any pseudo-label / all unseen-class pixels (formerly `coverage`);
 * - labelledCandidates: share of candidate pixels that got a label;
 * - labelledNonUnseenCandidates: the same for candidates whose hidden label is not an unseen class (in the
 *   VOC-default protocol: background; the prototype's "% of bg px labelled").
 * NaN where the denominator is 0.
 */
export interface PseudoLabelQualityReport {
  classSpace: string;
  round: number | null;
  images: number;
  pixels: number;
  candidates: number;
  assigned: number;
  correct: number;
  precision: number;
  precisionOnUnseen: number;
  coverage: number;
  labelledUnseen: number;
  labelledCandidates: number;
  labelledNonUnseenCandidates: number;
  classes: PseudoLabelClassQuality[];
}

export interface PseudoLabelQualityJson {
  classSpace: string;
  numClasses: number;
  images: number;
  pairs: number[];
  hidden: number[];
}

/**
 * Accumulates pseudo-label maps (output index, 255 = no label) against hidden labels (output index,
 * 255 = not a class), on candidate pixels only. Counts are kept as a (hidden × pseudo) matrix over candidates
 * plus a histogram of hidden labels over all pixels, so accumulators from parallel workers add up (`merge`).
 * Pseudo-labels outside the candidate mask are not looked at; values ≥ numClasses mean "no label".
 */
export class PseudoLabelQuality {
  private readonly n: number;
  /** (n + 1) × (n + 1): row = hidden label (n = not a class), column = pseudo-label (n = none); candidates only. */
  private readonly pairs: Float64Array;
  /** n + 1: hidden label histogram over all pixels. */
  private readonly hidden: Float64Array;
  private imageCount = 0;

  constructor(readonly classSpace: MetricClassSpace) {
    this.n = classSpace.numClasses;
    this.pairs = new Float64Array((this.n + 1) * (this.n + 1));
    this.hidden = new Float64Array(this.n + 1);
  }

  get images(): number {
    return this.imageCount;
  }

  /**
   * Counts one image. `candidates`: non-zero where the pixel was a pseudo-label candidate (see
   * `candidateMask`). All three must have the hidden map's size.
   */
  add(pseudo: LabelMap, candidates: Uint8Array, hidden: LabelMap, source = `image #${this.imageCount}`): void {
    const len = hidden.height * hidden.width;
    if (hidden.data.length !== len) throw new DataError(source, `hidden labels hold ${hidden.data.length} values for ${hidden.height}×${hidden.width}`);
    if (pseudo.height !== hidden.height || pseudo.width !== hidden.width || pseudo.data.length !== len) {
      throw new DataError(source, `pseudo-labels are ${pseudo.height}×${pseudo.width}, hidden labels ${hidden.height}×${hidden.width}`);
    }
    if (candidates.length !== len) throw new DataError(source, `candidate mask has ${candidates.length} values for ${len} pixels`);
    const n = this.n;
    const m = n + 1;
    const pairs = this.pairs;
    const hist = this.hidden;
    const h = hidden.data;
    const p = pseudo.data;
    for (let i = 0; i < len; i++) {
      const hv = h[i] < n ? h[i] : n;
      hist[hv]++;
      if (candidates[i] !== 0) {
        const pv = p[i] < n ? p[i] : n;
        pairs[hv * m + pv]++;
      }
    }
    this.imageCount++;
  }

  merge(other: PseudoLabelQuality): this {
    if (other.n !== this.n) throw new ZlsError(`pseudo-label quality: cannot merge ${other.n} classes into ${this.n}`);
    for (let i = 0; i < this.pairs.length; i++) this.pairs[i] += other.pairs[i];
    for (let i = 0; i < this.hidden.length; i++) this.hidden[i] += other.hidden[i];
    this.imageCount += other.imageCount;
    return this;
  }

  reset(): void {
    this.pairs.fill(0);
    this.hidden.fill(0);
    this.imageCount = 0;
  }

  report(round: number | null = null): PseudoLabelQualityReport {
    const n = this.n;
    const m = n + 1;
    const cell = (hv: number, pv: number) => this.pairs[hv * m + pv];
    const isUnseen = new Uint8Array(m);
    for (const u of this.classSpace.unseenIndices) isUnseen[u] = 1;
    const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);

    let candidates = 0;
    let assigned = 0;
    let correct = 0;
    let assignedOnUnseen = 0;
    let labelledUnseen = 0;
    let nonUnseenCandidates = 0;
    let labelledNonUnseen = 0;
    for (let hv = 0; hv <= n; hv++) {
      for (let pv = 0; pv <= n; pv++) {
        const v = cell(hv, pv);
        candidates += v;
        if (!isUnseen[hv]) nonUnseenCandidates += v;
        if (pv === n) continue;
        assigned += v;
        if (pv === hv) correct += v;
        if (isUnseen[hv]) {
          assignedOnUnseen += v;
          labelledUnseen += v;
        } else {
          labelledNonUnseen += v;
        }
      }
    }
    let unseenPixels = 0;
    let correctOnUnseen = 0;
    for (const u of this.classSpace.unseenIndices) {
      unseenPixels += this.hidden[u];
      correctOnUnseen += cell(u, u);
    }

    const classes = this.classSpace.unseenIndices.map((u): PseudoLabelClassQuality => {
      let assignedU = 0;
      for (let hv = 0; hv <= n; hv++) assignedU += cell(hv, u);
      let labelledU = 0;
      for (let pv = 0; pv < n; pv++) labelledU += cell(u, pv);
      const correctU = cell(u, u);
      const hiddenU = this.hidden[u];
      return {
        index: u,
        name: this.classSpace.classes[u].name,
        assigned: assignedU,
        correct: correctU,
        hiddenPixels: hiddenU,
        precision: ratio(correctU, assignedU),
        coverage: ratio(correctU, hiddenU),
        labelledShare: ratio(labelledU, hiddenU),
      };
    });

    let pixels = 0;
    for (const v of this.hidden) pixels += v;
    return {
      classSpace: this.classSpace.name,
      round,
      images: this.imageCount,
      pixels,
      candidates,
      assigned,
      correct,
      precision: ratio(correct, assigned),
      precisionOnUnseen: ratio(correctOnUnseen, assignedOnUnseen),
      coverage: ratio(correctOnUnseen, unseenPixels),
      labelledUnseen: ratio(labelledUnseen, unseenPixels),
      labelledCandidates: ratio(assigned, candidates),
      labelledNonUnseenCandidates: ratio(labelledNonUnseen, nonUnseenCandidates),
      classes,
    };
  }

  toJSON(): PseudoLabelQualityJson {
    return {
      classSpace: this.classSpace.name,
      numClasses: this.n,
      images: this.imageCount,
      pairs: Array.from(this.pairs),
      hidden: Array.from(this.hidden),
    };
  }

  static fromJSON(json: PseudoLabelQualityJson, classSpace: MetricClassSpace, source = 'pseudo-label quality'): PseudoLabelQuality {
    if (json.numClasses !== classSpace.numClasses) {
      throw new ZlsError(`${source}: ${json.numClasses} classes, class space ${classSpace.name} has ${classSpace.numClasses}`);
    }
    const q = new PseudoLabelQuality(classSpace);
    const m = classSpace.numClasses + 1;
    if (!Array.isArray(json.pairs) || json.pairs.length !== m * m || !Array.isArray(json.hidden) || json.hidden.length !== m) {
      throw new ZlsError(`${source}: expected ${m * m} pair counts and ${m} hidden counts`);
    }
    const check = (v: number, what: string) => {
      if (!Number.isInteger(v) || v < 0) throw new ZlsError(`${source}: ${what} = ${v} is not a non-negative integer`);
      return v;
    };
    json.pairs.forEach((v, i) => (q.pairs[i] = check(v, `pairs[${i}]`)));
    json.hidden.forEach((v, i) => (q.hidden[i] = check(v, `hidden[${i}]`)));
    q.imageCount = check(json.images, 'images');
    return q;
  }
}

/**
 * The candidate mask of a training target: pixels whose target value is one of `candidateValues`
 * (default: ignore, the VOC-default protocol; pass the background index too for the reference's `--bkg` mode,
 * where unseen pixels are relabelled background).
 */
export function candidateMask(target: LabelMap, candidateValues: readonly number[] = [IGNORE_INDEX]): Uint8Array {
  const isCandidate = new Uint8Array(256);
  for (const v of candidateValues) isCandidate[v] = 1;
  const out = new Uint8Array(target.data.length);
  for (let i = 0; i < out.length; i++) out[i] = isCandidate[target.data[i]];
  return out;
}

/**
 * One row per round: the overall quality numbers, in percent, headed by the fields' names (coverage: correctly
 * labelled share of a class's pixels; labelled: share that got any label).
 */
export function formatPseudoLabelQualityTable(reports: readonly PseudoLabelQualityReport[]): string {
  const header = ['round', 'precision', 'prec. unseen px', 'coverage unseen', 'labelled unseen', '% cand. labelled', '% non-unseen cand. labelled'];
  const rows = reports.map((r, i) => [
    String(r.round ?? i + 1),
    formatPercent(r.precision),
    formatPercent(r.precisionOnUnseen),
    formatPercent(r.coverage),
    formatPercent(r.labelledUnseen),
    formatPercent(r.labelledCandidates),
    formatPercent(r.labelledNonUnseenCandidates),
  ]);
  const perClass = reports.flatMap((r, i) =>
    r.classes.map((c) => [String(r.round ?? i + 1), c.name, formatPercent(c.precision), formatPercent(c.coverage), formatPercent(c.labelledShare), String(c.hiddenPixels)]),
  );
  return [
    ...alignColumns([header, ...rows], 1),
    '',
    ...alignColumns([['round', 'unseen class', 'precision', 'coverage', 'labelled', 'hidden px'], ...perClass], 2),
  ].join('\n');
}
