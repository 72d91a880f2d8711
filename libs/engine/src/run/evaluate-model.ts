import * as tf from '@tensorflow/tfjs';
import type { ClassSpace, EvaluationAccumulator, LabelMap, MetricsService, SegmentationModel, TrainingBatch } from '@zls/core';
import { calibratedPrediction, calibrationStats } from '../infer/calibration-stats';

export interface EvaluationClasses {
  readonly seen: readonly number[];
  readonly unseen: readonly number[];
}

/**
 * One pass over a split, scoring the model's calibrated argmax against the full labels for each γ at once
 * (the per-pixel statistics make every γ free once the model has run). Returns one accumulator per γ.
 */
export async function evaluateModel(
  model: SegmentationModel,
  batches: AsyncIterable<TrainingBatch>,
  metrics: MetricsService,
  space: ClassSpace,
  classes: EvaluationClasses,
  gammas: readonly number[] = [0],
  /** Sees each image's prediction at the first γ (the report keeps a few as examples). */
  onPrediction?: (id: string, prediction: LabelMap) => void,
): Promise<EvaluationAccumulator[]> {
  const accumulators = gammas.map(() => metrics.evaluator(space));
  for await (const batch of batches) {
    const images = tf.tensor4d(batch.images, batch.shape as [number, number, number, number]);
    let stats;
    try {
      stats = await calibrationStats(model, images, classes.seen, classes.unseen);
    } finally {
      images.dispose();
    }
    stats.forEach((s, i) => {
      gammas.forEach((gamma, g) => {
        const prediction = calibratedPrediction(s, gamma);
        accumulators[g].add(prediction, batch.hidden[i], batch.ids[i]);
        if (g === 0) onPrediction?.(batch.ids[i], prediction);
      });
    });
  }
  return accumulators;
}

/** The γ whose accumulator has the highest harmonic mIoU (ties: the smallest γ). */
export function bestGamma(gammas: readonly number[], accumulators: readonly EvaluationAccumulator[]): { gamma: number; index: number } {
  let index = 0;
  let best = -Infinity;
  accumulators.forEach((acc, i) => {
    const h = acc.headline().harmonic;
    const value = Number.isNaN(h) ? -Infinity : h;
    if (value > best) {
      best = value;
      index = i;
    }
  });
  return { gamma: gammas[index], index };
}
