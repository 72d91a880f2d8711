import { ZlsError } from '@zls/core';
import { accumulatePairs } from './accumulate-pairs';

/**
 * A streaming confusion matrix in output-index space: rows are ground-truth classes, columns are predicted
 * classes, plus one extra column (index `numClasses`) for predictions that are not a class at all (255 or any
 * value ≥ numClasses) on a scored pixel. Keeping that column instead of dropping the pixel means a scored
 * pixel always counts for its ground-truth class (as a miss) whichever policy the caller applies to it.
 *
 * Pixels whose ground truth is not a class (255, or ≥ numClasses, e.g. VOC background when it is not a class)
 * are not scored: that is the reference protocol (SPNet `_fast_hist`: mask = 0 ≤ gt < n).
 *
 * Counts are float64: exact up to 2^53 pixels per cell, far beyond any dataset (COCO-Stuff val at full
 * resolution is ~1.5e9 pixels), so no overflow handling is needed. Matrices from parallel workers add up
 * with `merge`.
 */
export class ConfusionMatrix {
  readonly numClasses: number;
  /** Row-major numClasses × (numClasses + 1) counts; the last column counts out-of-space predictions. */
  private readonly cells: Float64Array;
  private seenPixels = 0;

  constructor(numClasses: number) {
    if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > 255) {
      throw new ZlsError(`confusion matrix: numClasses must be an integer in 1..255, got ${numClasses}`);
    }
    this.numClasses = numClasses;
    this.cells = new Float64Array(numClasses * (numClasses + 1));
  }

  /** Width of a row: the classes plus the "not a class" column. */
  get rowLength(): number {
    return this.numClasses + 1;
  }

  /**
   * Counts one pair of label maps given as flat arrays of the same length (same pixel order).
   * Returns how many scored pixels had a prediction outside the class space (they are counted as misses).
   */
  add(target: Uint8Array, prediction: Uint8Array): number {
    if (target.length !== prediction.length) {
      throw new ZlsError(`confusion matrix: target has ${target.length} pixels, prediction has ${prediction.length}`);
    }
    const outside = accumulatePairs(target, prediction, this.numClasses, this.cells);
    this.seenPixels += target.length;
    return outside;
  }

  /** Adds another matrix of the same class count (e.g. from a parallel worker). */
  merge(other: ConfusionMatrix): this {
    if (other.numClasses !== this.numClasses) {
      throw new ZlsError(`confusion matrix: cannot merge ${other.numClasses} classes into ${this.numClasses}`);
    }
    const src = other.cells;
    for (let i = 0; i < src.length; i++) this.cells[i] += src[i];
    this.seenPixels += other.seenPixels;
    return this;
  }

  reset(): void {
    this.cells.fill(0);
    this.seenPixels = 0;
  }

  clone(): ConfusionMatrix {
    return new ConfusionMatrix(this.numClasses).merge(this);
  }

  /** Pixels with ground truth `gt` predicted as `pred` (pred = numClasses: predicted as no class). */
  count(gt: number, pred: number): number {
    if (!(gt >= 0 && gt < this.numClasses && pred >= 0 && pred <= this.numClasses)) {
      throw new ZlsError(`confusion matrix: cell (${gt}, ${pred}) outside ${this.numClasses} × ${this.numClasses + 1}`);
    }
    return this.cells[gt * (this.numClasses + 1) + pred];
  }

  /** A copy of the numClasses × (numClasses + 1) cells, row-major. */
  cellsCopy(): Float64Array {
    return this.cells.slice();
  }

  /** All pixels passed to `add`, scored or not. */
  get totalPixels(): number {
    return this.seenPixels;
  }

  /** Pixels with a class as ground truth. */
  get scoredPixels(): number {
    let s = 0;
    for (let i = 0; i < this.cells.length; i++) s += this.cells[i];
    return s;
  }

  /** Pixels left out because their ground truth is not a class. */
  get ignoredPixels(): number {
    return this.seenPixels - this.scoredPixels;
  }

  /** Scored pixels whose prediction was not a class. */
  get outOfSpacePredictions(): number {
    const m = this.numClasses + 1;
    let s = 0;
    for (let g = 0; g < this.numClasses; g++) s += this.cells[g * m + this.numClasses];
    return s;
  }

  /** Plain-JSON form (counts are integers, so the round trip is exact). */
  toJSON(): ConfusionMatrixJson {
    return { numClasses: this.numClasses, totalPixels: this.seenPixels, cells: Array.from(this.cells) };
  }

  static fromJSON(json: ConfusionMatrixJson, source = 'confusion matrix'): ConfusionMatrix {
    const cm = new ConfusionMatrix(json.numClasses);
    const expected = json.numClasses * (json.numClasses + 1);
    if (!Array.isArray(json.cells) || json.cells.length !== expected) {
      throw new ZlsError(`${source}: cells must be an array of ${expected} counts (numClasses × (numClasses + 1))`);
    }
    for (let i = 0; i < expected; i++) {
      const v = json.cells[i];
      if (!Number.isInteger(v) || v < 0) throw new ZlsError(`${source}: cells[${i}] = ${v} is not a non-negative integer`);
      cm.cells[i] = v;
    }
    cm.seenPixels = json.totalPixels;
    if (!(Number.isInteger(cm.seenPixels) && cm.seenPixels >= cm.scoredPixels)) {
      throw new ZlsError(`${source}: totalPixels ${json.totalPixels} is smaller than the ${cm.scoredPixels} counted pixels`);
    }
    return cm;
  }
}

export interface ConfusionMatrixJson {
  numClasses: number;
  totalPixels: number;
  /** Row-major numClasses × (numClasses + 1); the last column: predictions outside the class space. */
  cells: number[];
}
