import type { ConfusionMatrix } from './confusion-matrix';
import type { MetricClassSpace } from './class-space-view';
import type { ClassRole } from '@zls/core';

/**
 * How a class without ground-truth pixels enters the means.
 * - `spnet` (default; SPNet/STRICT `scores_gzsl`): IoU = TP / (TP + FP + FN) is NaN when the class has
 *   neither ground truth nor predictions, and NaN classes are left out of every mean (nanmean). A class with
 *   no ground truth but some predictions has IoU 0 and counts. Class accuracy TP / GT is NaN without ground
 *   truth and left out the same way.
 * - `zs3` (ZS3Net `utils/metrics.py`): NaN IoUs and NaN class accuracies are turned into 0 before averaging,
 *   so a class absent from both prediction and ground truth pulls the mean down.
 */
export type NanConvention = 'spnet' | 'zs3';

export const NAN_CONVENTIONS: readonly NanConvention[] = ['spnet', 'zs3'];

/** One metric over all classes, the seen classes, the unseen classes, and the harmonic mean of the two. */
export interface SplitScore {
  all: number;
  seen: number;
  unseen: number;
  /** 2·S·U / (S + U); 0 when S + U = 0; NaN when S or U is NaN. */
  harmonic: number;
}

export interface ClassScore {
  index: number;
  labelId: number;
  name: string;
  role: ClassRole;
  /** TP / (TP + FP + FN), after the NaN convention. */
  iou: number;
  /** TP / ground-truth pixels (class accuracy, recall), after the NaN convention. */
  accuracy: number;
  /** TP / predicted pixels; NaN when never predicted (never used in a mean). */
  precision: number;
  truePositives: number;
  groundTruthPixels: number;
  predictedPixels: number;
}

export interface Scores {
  classes: ClassScore[];
  mIoU: SplitScore;
  pixelAccuracy: SplitScore;
  meanAccuracy: SplitScore;
  /**
   * Frequency-weighted IoU: Σ freq_c · IoU_c with freq_c = GT_c / all scored pixels. As in the reference
   * (`scores_gzsl`), the seen and unseen values are the seen and unseen parts of that one sum (their
   * weights are shares of all pixels, not renormalised), so seen + unseen = all.
   */
  fwIoU: SplitScore;
}

export function harmonicMean(s: number, u: number): number {
  if (Number.isNaN(s) || Number.isNaN(u)) return NaN;
  return s + u === 0 ? 0 : (2 * s * u) / (s + u);
}

/** Mean of the non-NaN values; NaN when there are none. */
export function nanMean(values: readonly number[]): number {
  let sum = 0;
  let count = 0;
  for (const v of values) {
    if (!Number.isNaN(v)) {
      sum += v;
      count++;
    }
  }
  return count === 0 ? NaN : sum / count;
}

/** Every metric of the IoU and accuracy families from one confusion matrix, in float64. */
export function computeScores(cm: ConfusionMatrix, space: MetricClassSpace, convention: NanConvention = 'spnet'): Scores {
  const n = cm.numClasses;
  if (space.numClasses !== n) {
    throw new Error(`scores: class space ${space.name} has ${space.numClasses} classes, the confusion matrix ${n}`);
  }
  const cells = cm.cellsCopy();
  const m = n + 1;
  const tp = new Float64Array(n);
  const gt = new Float64Array(n);
  const pred = new Float64Array(n);
  for (let g = 0; g < n; g++) {
    for (let p = 0; p <= n; p++) {
      const v = cells[g * m + p];
      gt[g] += v;
      if (p < n) pred[p] += v;
    }
    tp[g] = cells[g * m + g];
  }
  const zeroNan = (v: number) => (convention === 'zs3' && Number.isNaN(v) ? 0 : v);

  const iou = new Array<number>(n);
  const acc = new Array<number>(n);
  let scored = 0;
  for (let c = 0; c < n; c++) {
    const union = gt[c] + pred[c] - tp[c];
    iou[c] = zeroNan(union > 0 ? tp[c] / union : NaN);
    acc[c] = zeroNan(gt[c] > 0 ? tp[c] / gt[c] : NaN);
    scored += gt[c];
  }
  const fw = iou.map((v, c) => (gt[c] > 0 ? (gt[c] / scored) * v : 0));

  const classes: ClassScore[] = space.classes.map((info, c) => ({
    index: c,
    labelId: info.labelId,
    name: info.name,
    role: info.role,
    iou: iou[c],
    accuracy: acc[c],
    precision: pred[c] > 0 ? tp[c] / pred[c] : NaN,
    truePositives: tp[c],
    groundTruthPixels: gt[c],
    predictedPixels: pred[c],
  }));

  const pick = (values: readonly number[], idx: readonly number[]) => idx.map((i) => values[i]);
  const all = space.classes.map((c) => c.index);
  const split = (f: (idx: readonly number[]) => number): SplitScore => {
    const seen = f(space.seenIndices);
    const unseen = f(space.unseenIndices);
    return { all: f(all), seen, unseen, harmonic: harmonicMean(seen, unseen) };
  };
  const ratioOfSums = (idx: readonly number[]) => {
    let t = 0;
    let g = 0;
    for (const i of idx) {
      t += tp[i];
      g += gt[i];
    }
    return g > 0 ? t / g : NaN;
  };
  const sumOver = (idx: readonly number[]) => (scored > 0 ? idx.reduce((s, i) => s + fw[i], 0) : NaN);

  return {
    classes,
    mIoU: split((idx) => nanMean(pick(iou, idx))),
    pixelAccuracy: split(ratioOfSums),
    meanAccuracy: split((idx) => nanMean(pick(acc, idx))),
    fwIoU: split(sumOver),
  };
}
