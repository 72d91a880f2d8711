import * as tf from '@tensorflow/tfjs';
import type { LabelMap, PseudoLabeler, PseudoLabelProposal, SegmentationModel, TrainingBatch } from '@zls/core';

export interface LabelledSample {
  readonly id: string;
  readonly pseudo: LabelMap;
  readonly target: LabelMap;
  readonly hidden: LabelMap;
}

/**
 * Cached labelling, streamed: the frozen generator labels the whole (un-augmented) training set once per round
 * and `visit` sees every sample in pass order. A labeler that selects per sample (`selectsPerSample`: argmax,
 * consistency) selects batch by batch, so nothing is held past its batch; one that ranks over the whole set
 * (top-p ranks each class over all of it, as ZS5Net does) gets every proposal at once, at the end.
 */
export async function forEachLabelled(
  generator: SegmentationModel,
  labeler: PseudoLabeler,
  batches: AsyncIterable<TrainingBatch>,
  unseenIndices: readonly number[],
  visit: (sample: LabelledSample) => void,
): Promise<void> {
  const proposals: PseudoLabelProposal[] = [];
  const meta: { id: string; target: LabelMap; hidden: LabelMap }[] = [];
  for await (const batch of batches) {
    const images = tf.tensor4d(batch.images, batch.shape as [number, number, number, number]);
    let proposed: PseudoLabelProposal[];
    try {
      proposed = await labeler.propose({ generator, images, targets: batch.targets, unseenIndices });
    } finally {
      images.dispose();
    }
    if (labeler.selectsPerSample) {
      const selected = labeler.select(proposed);
      batch.ids.forEach((id, i) => visit({ id, pseudo: selected[i], target: batch.targets[i], hidden: batch.hidden[i] }));
      continue;
    }
    proposals.push(...proposed);
    batch.ids.forEach((id, i) => meta.push({ id, target: batch.targets[i], hidden: batch.hidden[i] }));
  }
  if (meta.length === 0) return;
  const selected = labeler.select(proposals);
  meta.forEach((m, i) => visit({ ...m, pseudo: selected[i] }));
}

/** forEachLabelled, every sample collected (tests, small sets). */
export async function labelTrainingSet(
  generator: SegmentationModel,
  labeler: PseudoLabeler,
  batches: AsyncIterable<TrainingBatch>,
  unseenIndices: readonly number[],
): Promise<LabelledSample[]> {
  const out: LabelledSample[] = [];
  await forEachLabelled(generator, labeler, batches, unseenIndices, (s) => out.push(s));
  return out;
}
