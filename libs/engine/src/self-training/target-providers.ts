import * as tf from '@tensorflow/tfjs';
import { ZlsError, type LabelMap, type PseudoLabeler, type SegmentationModel, type TrainingBatch } from '@zls/core';
import type { LabelledSample } from './label-training-set';
import { flipLabelMap, mixTargets } from './mix-targets';

export type TargetProvider = (batch: TrainingBatch) => Promise<readonly LabelMap[]>;

function mix(target: LabelMap, pseudo: LabelMap): LabelMap {
  return { data: mixTargets(target.data, pseudo.data), height: target.height, width: target.width };
}

/**
 * Student targets from labels cached for the round. Exact when the only geometric augmentation is a
 * horizontal flip (the batch says which samples were flipped) and the labeler's views are flip-closed.
 */
export function cachedTargets(labelled: readonly LabelledSample[]): TargetProvider {
  const byId = new Map(labelled.map((s) => [s.id, s.pseudo]));
  return async (batch) =>
    batch.targets.map((target, i) => {
      const cached = byId.get(batch.ids[i]);
      if (!cached) throw new ZlsError(`no cached pseudo-labels for training image ${batch.ids[i]}`);
      const pseudo = batch.flipped?.[i] ? flipLabelMap(cached) : cached;
      if (pseudo.height !== target.height || pseudo.width !== target.width) {
        throw new ZlsError(`cached pseudo-labels of ${batch.ids[i]} are ${pseudo.width}×${pseudo.height}, the sample is ${target.width}×${target.height}: use online labelling with this augmentation`);
      }
      return mix(target, pseudo);
    });
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
