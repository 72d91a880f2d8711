import 'reflect-metadata';
import { IsIn, IsNumber, Max, Min } from 'class-validator';
import { injectable } from 'tsyringe';
import type { LabelMap, PseudoLabelProposal, PseudoLabelRequest } from '@zls/core';
import { keepTopFractionPerClassOf } from '../selection/top-p';
import { ArgmaxLabeler, argmaxProposals } from './argmax-labeler';

/** Which softmax ranks a pixel's label: over every class the generator scores, or over the unseen ones only. */
export type TopPRanking = 'all-classes' | 'unseen-classes';
export const TOP_P_RANKINGS: readonly TopPRanking[] = ['all-classes', 'unseen-classes'];

export class TopPLabelerOptions {
  /** Share of each unseen class's pseudo-labelled pixels kept, most confident first (ZS5Net: 0.25 on VOC). */
  @IsNumber() @Min(0.001) @Max(1) fraction = 0.25;
  /**
   * ZS5Net ranks by the generator's softmax over all classes at the chosen label, so a pixel that a seen
   * class also scores highly ranks low; 'unseen-classes' ranks by the softmax among unseen classes only.
   */
  @IsIn(TOP_P_RANKINGS) rankBy: TopPRanking = 'all-classes';
}

/**
 * ZS5Net-style: the argmax over unseen classes labels each candidate, then per unseen class only the
 * `fraction` most confident pixels over all proposals passed to `select` are kept (a batch online; the
 * whole training set when labels are cached).
 */
@injectable()
export class TopPLabeler extends ArgmaxLabeler {
  override readonly name: string = 'top-p';
  /** Each class's top fraction is taken over every proposal passed to `select`. */
  override readonly selectsPerSample: boolean = false;

  constructor(private readonly options: TopPLabelerOptions) {
    super();
  }

  /** The selection rule in words, for logs and reports. */
  override get rule(): string {
    const percent = Number((this.options.fraction * 100).toPrecision(6));
    const over = this.options.rankBy === 'all-classes' ? 'all classes' : 'unseen classes';
    return `top-p ${percent} % per class, ranked by softmax over ${over}`;
  }

  override async propose(request: PseudoLabelRequest): Promise<PseudoLabelProposal[]> {
    if (this.options.rankBy === 'unseen-classes') return super.propose(request);
    return argmaxProposals(request, Array.from({ length: request.generator.numClasses }, (_, c) => c));
  }

  override select(proposals: readonly PseudoLabelProposal[]): LabelMap[] {
    // Ranked across all proposals in place: no concatenated copy of a training set's pixels.
    const kept = keepTopFractionPerClassOf(
      proposals.map((p) => ({ labels: p.labels.data, confidence: p.confidence })),
      this.options.fraction,
    );
    return proposals.map((p, i) => ({ data: kept[i], height: p.labels.height, width: p.labels.width }));
  }
}
