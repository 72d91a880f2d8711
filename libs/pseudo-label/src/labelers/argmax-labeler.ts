import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import { injectable } from 'tsyringe';
import type { LabelMap, PseudoLabeler, PseudoLabelProposal, PseudoLabelRequest } from '@zls/core';
import { viewScores } from '../views/view-scores';
import { labelsFromPositions } from './candidates';

export class ArgmaxLabelerOptions {}

/**
 * SPNet+ST: every candidate pixel gets the generator's argmax over the unseen classes. The confidence is the
 * softmax probability of that class among the unseen classes.
 */
@injectable()
export class ArgmaxLabeler implements PseudoLabeler {
  readonly name: string = 'argmax';
  readonly selectsPerSample: boolean = true;

  get rule(): string {
    return 'argmax over unseen classes, every candidate';
  }

  async propose(request: PseudoLabelRequest): Promise<PseudoLabelProposal[]> {
    return argmaxProposals(request, request.unseenIndices);
  }

  select(proposals: readonly PseudoLabelProposal[]): LabelMap[] {
    return proposals.map((p) => p.labels);
  }
}

/**
 * Each candidate's label is the argmax over the unseen classes; its confidence is the softmax over
 * `softmaxOver` (which holds every unseen class) at that label. Softmax is monotonic, so restricting the
 * argmax to the unseen columns picks the same class as their raw scores.
 */
export async function argmaxProposals(request: PseudoLabelRequest, softmaxOver: readonly number[]): Promise<PseudoLabelProposal[]> {
  const { generator, images, targets, unseenIndices } = request;
  const columns = unseenIndices.map((u) => softmaxOver.indexOf(u));
  if (columns.includes(-1)) throw new Error('argmaxProposals: the softmax classes must include every unseen class');
  const [positions, confidence] = tf.tidy(() => {
    const probs = tf.softmax(viewScores(generator, images, softmaxOver, { scale: 1, flip: false }));
    const unseenProbs = tf.gather(probs, columns, 3);
    return [tf.argMax(unseenProbs, 3), tf.max(unseenProbs, 3)];
  });
  const pos = (await positions.data()) as Int32Array;
  const conf = (await confidence.data()) as Float32Array;
  tf.dispose([positions, confidence]);
  const size = targets[0]?.data.length ?? 0;
  return targets.map((t, i) => ({
    labels: labelsFromPositions(pos, t, unseenIndices, i * size),
    confidence: conf.slice(i * size, (i + 1) * size),
  }));
}
