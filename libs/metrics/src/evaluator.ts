import { DataError, ZlsError, type LabelMap } from '@zls/core';
import { ConfusionMatrix } from './confusion-matrix';
import type { MetricClassSpace } from './class-space-view';
import type { MetricsReport } from './metrics-report';
import { resizeLabelMapNearest } from './resize-nearest';
import { computeScores, type NanConvention } from './scores';

export interface EvaluatorOptions {
  /** NaN handling in the means (see NanConvention). Default 'spnet'. */
  convention?: NanConvention;
  /**
   * Warp ground truth (and any prediction not already that size) to warpSize × warpSize with nearest
   * sampling before counting: the SPNet/STRICT test protocol (513), for numbers comparable with theirs.
   * Default: count at the ground truth's own resolution.
   */
  warpSize?: number;
  /**
   * What a scored pixel whose prediction is not a class (255, ≥ numClasses) does: 'error' (default) throws
   * a DataError naming the image; 'count' counts it as a miss of its ground-truth class.
   */
  outOfSpacePredictions?: 'error' | 'count';
}

/**
 * Accumulates (prediction, target) pairs in output-index space (255 = ignore) and reports the IoU and
 * accuracy families over seen and unseen classes. Each `add` is one image; evaluators from parallel workers
 * combine with `merge`.
 */
export class Evaluator {
  readonly matrix: ConfusionMatrix;
  private imageCount = 0;
  private scratch: ConfusionMatrix | undefined;
  private readonly convention: NanConvention;
  private readonly warpSize: number | undefined;
  private readonly outOfSpace: 'error' | 'count';

  constructor(
    readonly classSpace: MetricClassSpace,
    options: EvaluatorOptions = {},
  ) {
    this.matrix = new ConfusionMatrix(classSpace.numClasses);
    this.convention = options.convention ?? 'spnet';
    this.warpSize = options.warpSize;
    this.outOfSpace = options.outOfSpacePredictions ?? 'error';
    if (this.warpSize !== undefined && !(Number.isInteger(this.warpSize) && this.warpSize > 0)) {
      throw new ZlsError(`evaluator: warpSize must be a positive integer, got ${this.warpSize}`);
    }
  }

  get images(): number {
    return this.imageCount;
  }

  /**
   * Counts one image. `source` names it in errors. Returns the number of scored pixels whose prediction
   * was not a class (only non-zero with outOfSpacePredictions: 'count').
   */
  add(prediction: LabelMap, target: LabelMap, source = `image #${this.imageCount}`): number {
    checkShape(prediction, source, 'prediction');
    checkShape(target, source, 'target');
    let pred = prediction;
    let gt = target;
    const w = this.warpSize;
    if (w !== undefined) {
      const predAtGt = pred.height === gt.height && pred.width === gt.width;
      const predWarped = pred.height === w && pred.width === w;
      if (!predAtGt && !predWarped) {
        throw new DataError(
          source,
          `prediction is ${pred.height}×${pred.width}; expected the ground truth's ${gt.height}×${gt.width} or the warp size ${w}×${w}`,
        );
      }
      gt = resizeLabelMapNearest(gt, w, w);
      pred = resizeLabelMapNearest(pred, w, w);
    } else if (pred.height !== gt.height || pred.width !== gt.width) {
      throw new DataError(source, `prediction is ${pred.height}×${pred.width}, ground truth is ${gt.height}×${gt.width}`);
    }
    if (this.outOfSpace === 'error') {
      // Count into a scratch matrix first, so that a rejected image leaves the totals untouched.
      const scratch = (this.scratch ??= new ConfusionMatrix(this.matrix.numClasses));
      scratch.reset();
      const outside = scratch.add(gt.data, pred.data);
      if (outside > 0) {
        throw new DataError(
          source,
          `${outside} scored pixel(s) have a prediction that is not a class of ${this.classSpace.name} (expected 0..${this.matrix.numClasses - 1})`,
        );
      }
      this.matrix.merge(scratch);
      this.imageCount++;
      return 0;
    }
    const outside = this.matrix.add(gt.data, pred.data);
    this.imageCount++;
    return outside;
  }

  addBatch(predictions: readonly LabelMap[], targets: readonly LabelMap[], sources?: readonly string[]): void {
    if (predictions.length !== targets.length) {
      throw new ZlsError(`evaluator: ${predictions.length} predictions for ${targets.length} targets`);
    }
    predictions.forEach((p, i) => this.add(p, targets[i], sources?.[i]));
  }

  /** Adds another evaluator's counts (same class space and options). */
  merge(other: Evaluator): this {
    if (other.convention !== this.convention || other.warpSize !== this.warpSize) {
      throw new ZlsError('evaluator: cannot merge evaluators with different convention or warpSize');
    }
    this.matrix.merge(other.matrix);
    this.imageCount += other.imageCount;
    return this;
  }

  reset(): void {
    this.matrix.reset();
    this.imageCount = 0;
  }

  report(options: { includeConfusion?: boolean } = {}): MetricsReport {
    const s = computeScores(this.matrix, this.classSpace, this.convention);
    const scored = this.matrix.scoredPixels;
    return {
      classSpace: this.classSpace.name,
      convention: this.convention,
      warpSize: this.warpSize ?? null,
      images: this.imageCount,
      pixels: {
        total: this.matrix.totalPixels,
        scored,
        ignored: this.matrix.totalPixels - scored,
        outOfSpacePredictions: this.matrix.outOfSpacePredictions,
      },
      mIoU: s.mIoU,
      pixelAccuracy: s.pixelAccuracy,
      meanAccuracy: s.meanAccuracy,
      fwIoU: s.fwIoU,
      classes: s.classes,
      ...(options.includeConfusion ? { confusion: this.matrix.toJSON() } : {}),
    };
  }
}

function checkShape(map: LabelMap, source: string, what: string): void {
  if (map.data.length !== map.height * map.width) {
    throw new DataError(source, `${what} holds ${map.data.length} values for ${map.height}×${map.width}`);
  }
}
