import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import { IsArray, IsBoolean, IsNumber, Max, Min } from 'class-validator';
import { injectable } from 'tsyringe';
import type { LabelMap, PseudoLabeler, PseudoLabelProposal, PseudoLabelRequest } from '@zls/core';
import { intersectViews } from '../selection/consistency';
import { viewScores, viewSet } from '../views/view-scores';
import { labelsFromPositions } from './candidates';

export class ConsistencyLabelerOptions {
  /** Rescale factors besides the identity (STRICT's paper setting: up-scaling by 1.5 and 1.75). */
  @IsArray() @IsNumber({}, { each: true }) @Min(0.25, { each: true }) @Max(4, { each: true }) scales: number[] = [1.5, 1.75];
  /** Add the mirror of every view. */
  @IsBoolean() flip = true;
}

/**
 * STRICT: the generator labels each candidate pixel in every view (argmax over unseen classes, mapped back
 * to the identity grid); a pixel keeps its label only if all views agree, otherwise it stays ignored.
 */
@injectable()
export class ConsistencyLabeler implements PseudoLabeler {
  readonly name = 'consistency';
  readonly selectsPerSample = true;

  constructor(private readonly options: ConsistencyLabelerOptions) {}

  get rule(): string {
    const views = viewSet(this.options.scales, this.options.flip).map((v) => `${v.scale === 1 ? 'identity' : `×${v.scale}`}${v.flip ? (v.scale === 1 ? ' mirror' : '+mirror') : ''}`);
    return `unseen argmax kept where all ${views.length} views agree (${views.join(', ').replace('identity mirror', 'mirror')})`;
  }

  async propose(request: PseudoLabelRequest): Promise<PseudoLabelProposal[]> {
    const { generator, images, targets, unseenIndices } = request;
    const size = targets[0]?.data.length ?? 0;
    const perView: LabelMap[][] = [];
    let confidence: Float32Array | undefined;
    for (const view of viewSet(this.options.scales, this.options.flip)) {
      const [positions, conf] = tf.tidy(() => {
        const probs = tf.softmax(viewScores(generator, images, unseenIndices, view));
        return [tf.argMax(probs, 3), tf.max(probs, 3)];
      });
      const pos = (await positions.data()) as Int32Array;
      if (!confidence) confidence = (await conf.data()) as Float32Array; // the identity view's confidence
      tf.dispose([positions, conf]);
      perView.push(targets.map((t, i) => labelsFromPositions(pos, t, unseenIndices, i * size)));
    }
    return targets.map((t, i) => ({
      labels: { data: intersectViews(perView.map((v) => v[i].data)), height: t.height, width: t.width },
      confidence: (confidence as Float32Array).slice(i * size, (i + 1) * size),
    }));
  }

  select(proposals: readonly PseudoLabelProposal[]): LabelMap[] {
    return proposals.map((p) => p.labels);
  }
}
