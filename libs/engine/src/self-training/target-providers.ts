import * as tf from '@tensorflow/tfjs';
import type { LabelMap, PseudoLabeler, SegmentationModel, TrainingBatch } from '@zls/core';
import { mixTargets } from './mix-targets';

export type TargetProvider = (batch: TrainingBatch) => Promise<readonly LabelMap[]>;

function mix(target: LabelMap, pseudo: LabelMap): LabelMap {
  return { data: mixTargets(target.data, pseudo.data), height: target.height, width: target.width };
}

/** Student targets labelled online on each augmented batch, as the reference code does. */
export function onlineTargets(generator: SegmentationModel, labeler: PseudoLabeler, unseenIndices: readonly number[]): TargetProvider {
  return async (batch) => {
    const images = tf.tensor4d(batch.images, batch.shape as [number, number, number, number]);
    try {
      const selected = labeler.select(await labeler.propose({ generator, images, targets: batch.targets, unseenIndices }));
      return batch.targets.map((t, i) => mix(t, selected[i]));
    } finally {
      images.dispose();
    }
  };
}
