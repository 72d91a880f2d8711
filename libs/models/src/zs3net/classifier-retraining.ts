import * as tf from '@tensorflow/tfjs';
import { IGNORE_INDEX } from '@zls/core';
import type { LinearScorer } from '../model/scorers';
import type { GmmnGenerator } from './gmmn-generator';

export interface RetrainingBatchOptions {
  /** Output indices of the unseen classes. */
  unseenClasses: readonly number[];
  /** Class embeddings [C, E] in output order (the generator's conditioning). */
  classEmbeddings: tf.Tensor2D;
  /**
   * ZS3Net generates a feature for every pixel that the ground truth marks as an unseen class, which
   * uses unseen-class masks that zero-label training should not have (the objection raised in its issue
   * tracker). Off by default: then `generatedPerClass` features are drawn for each unseen class, with no
   * look at unseen labels. On: `hiddenLabels` must be given and decide where and how many.
   */
  useUnseenGroundTruthMasks?: boolean;
  /** Per unseen class when the switch is off; default: the mean pixel count of the seen classes present. */
  generatedPerClass?: number;
}

export interface RetrainingBatch {
  features: tf.Tensor2D;
  labels: tf.Tensor1D;
}

/**
 * One batch for retraining the final classifier: real features of labelled (seen) pixels plus generated
 * unseen-class features. realFeatures [P, D] and seenLabels [P] (IGNORE_INDEX where unlabelled) come from
 * the frozen network; hiddenLabels [P] is the full ground truth, read only with the switch on.
 */
export function buildRetrainingBatch(
  generator: GmmnGenerator,
  realFeatures: tf.Tensor2D,
  seenLabels: Int32Array,
  options: RetrainingBatchOptions,
  hiddenLabels?: Int32Array,
): RetrainingBatch {
  const keep: number[] = [];
  const labels: number[] = [];
  const perClass = new Map<number, number>();
  seenLabels.forEach((l, i) => {
    if (l === IGNORE_INDEX) return;
    keep.push(i);
    labels.push(l);
    perClass.set(l, (perClass.get(l) ?? 0) + 1);
  });
  const unseen = new Set(options.unseenClasses);
  const wanted: number[] = [];
  if (options.useUnseenGroundTruthMasks) {
    if (!hiddenLabels) throw new Error('classifier retraining: useUnseenGroundTruthMasks needs the ground-truth labels');
    for (const l of hiddenLabels) if (unseen.has(l)) wanted.push(l);
  } else {
    const mean = perClass.size ? Math.round(keep.length / perClass.size) : 1;
    const n = options.generatedPerClass ?? Math.max(1, mean);
    for (const c of options.unseenClasses) for (let k = 0; k < n; k++) wanted.push(c);
  }
  return tf.tidy(() => {
    const real = tf.gather(realFeatures, keep);
    if (!wanted.length) return { features: real as tf.Tensor2D, labels: tf.tensor1d(labels, 'int32') };
    const fake = generator.apply(tf.gather(options.classEmbeddings, wanted), generator.noise(wanted.length), false);
    return { features: tf.concat([real, fake], 0) as tf.Tensor2D, labels: tf.tensor1d([...labels, ...wanted], 'int32') };
  });
}

/** Weighted cross-entropy of the 1×1 classifier on a retraining batch (ZS3Net: weight 100 on unseen classes). */
export function classifierLoss(classifier: LinearScorer, batch: RetrainingBatch, unseenClasses: readonly number[], unseenWeight = 100): tf.Scalar {
  return tf.tidy(() => {
    const [p, d] = batch.features.shape;
    const all = Array.from({ length: classifier.numClasses }, (_, i) => i);
    const scores = classifier.scores(batch.features.reshape([1, p, 1, d]) as tf.Tensor4D, all).reshape([p, classifier.numClasses]);
    const weights = all.map((c) => (unseenClasses.includes(c) ? unseenWeight : 1));
    const w = tf.gather(tf.tensor1d(weights), batch.labels);
    // −log softmax = logsumexp − picked score (tf.logSoftmax trips tfjs' leak check on the wasm backends).
    const nll = tf.sub(tf.logSumExp(scores, 1), tf.sum(tf.mul(scores, tf.oneHot(batch.labels, classifier.numClasses)), 1));
    return tf.div(tf.sum(tf.mul(nll, w)), tf.sum(w)) as tf.Scalar;
  });
}
