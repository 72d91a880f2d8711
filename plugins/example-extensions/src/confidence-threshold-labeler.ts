import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import { IsNumber, Max, Min } from 'class-validator';
import { injectable } from 'tsyringe';
import { IGNORE_INDEX, type LabelMap, type PseudoLabeler, type PseudoLabelProposal, type PseudoLabelRequest } from '@zls/core';

export class ConfidenceThresholdLabelerOptions {
  /** A candidate pixel is labelled when the softmax over the unseen classes at its argmax reaches this. */
  @IsNumber() @Min(0) @Max(1) threshold = 0.9;
}

/**
 * Fixed-threshold self-training (the rule of FixMatch-style methods): the generator's argmax over the unseen
 * classes, kept where its probability among the unseen classes is at least `threshold`. Each pixel is decided
 * on its own, so labelling needs no dataset-wide pass.
 */
@injectable()
export class ConfidenceThresholdLabeler implements PseudoLabeler {
  readonly name = 'confidence-threshold';
  readonly selectsPerSample = true;

  constructor(private readonly options: ConfidenceThresholdLabelerOptions) {}

  get rule(): string {
    return `argmax over unseen classes where its unseen-class softmax ≥ ${this.options.threshold}`;
  }

  async propose(request: PseudoLabelRequest): Promise<PseudoLabelProposal[]> {
    const { generator, images, targets, unseenIndices } = request;
    const [positions, confidence] = tf.tidy(() => {
      const probs = tf.softmax(generator.forward(images, false, unseenIndices));
      return [tf.argMax(probs, 3), tf.max(probs, 3)];
    });
    const pos = (await positions.data()) as Int32Array;
    const conf = (await confidence.data()) as Float32Array;
    tf.dispose([positions, confidence]);
    return targets.map((target, i) => {
      const size = target.data.length;
      const data = new Uint8Array(size);
      for (let p = 0; p < size; p++) data[p] = target.data[p] === IGNORE_INDEX ? unseenIndices[pos[i * size + p]] : IGNORE_INDEX;
      return { labels: { data, height: target.height, width: target.width }, confidence: conf.slice(i * size, (i + 1) * size) };
    });
  }

  select(proposals: readonly PseudoLabelProposal[]): LabelMap[] {
    const threshold = this.options.threshold;
    return proposals.map(({ labels, confidence }) => {
      const data = labels.data.slice();
      for (let p = 0; p < data.length; p++) if (confidence[p] < threshold) data[p] = IGNORE_INDEX;
      return { ...labels, data };
    });
  }
}
