import * as tf from '@tensorflow/tfjs';
import type { LabelMap, PseudoLabeler, PseudoLabelProposal, SegmentationModel, TrainingBatch } from '@zls/core';

export interface LabelledSample {
  readonly id: string;
  readonly pseudo: LabelMap;
  readonly target: LabelMap;
  readonly hidden: LabelMap;
}

/**
 * Cached labelling: the frozen generator labels the whole (un-augmented) training set once per round, and the
 * labeler selects over all of it at once (top-p ranks each class over the whole set, as ZS5Net does).
 */
export async function labelTrainingSet(
  generator: SegmentationModel,
  labeler: PseudoLabeler,
  batches: AsyncIterable<TrainingBatch>,
  unseenIndices: readonly number[],
): Promise<LabelledSample[]> {
  const proposals: PseudoLabelProposal[] = [];
  const meta: { id: string; target: LabelMap; hidden: LabelMap }[] = [];
  for await (const batch of batches) {
    const images = tf.tensor4d(batch.images, batch.shape as [number, number, number, number]);
    try {
      proposals.push(...(await labeler.propose({ generator, images, targets: batch.targets, unseenIndices })));
    } finally {
      images.dispose();
    }
    batch.ids.forEach((id, i) => meta.push({ id, target: batch.targets[i], hidden: batch.hidden[i] }));
  }
  const selected = labeler.select(proposals);
  return meta.map((m, i) => ({ ...m, pseudo: selected[i] }));
}
