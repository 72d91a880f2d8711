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

  get rule(): string {
    return 'argmax over unseen classes, every candidate';
  }

  async propose(request: PseudoLabelRequest): Promise<PseudoLabelProposal[]> {
    const { generator, images, targets, unseenIndices } = request;
    const [positions, confidence] = tf.tidy(() => {
      const probs = tf.softmax(viewScores(generator, images, unseenIndices, { scale: 1, flip: false }));
      return [tf.argMax(probs, 3), tf.max(probs, 3)];
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

  select(proposals: readonly PseudoLabelProposal[]): LabelMap[] {
    return proposals.map((p) => p.labels);
  }
}
