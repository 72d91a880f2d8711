import 'reflect-metadata';
import { IsNumber, Max, Min } from 'class-validator';
import { injectable } from 'tsyringe';
import type { LabelMap, PseudoLabelProposal } from '@zls/core';
import { keepTopFractionPerClass } from '../selection/top-p';
import { ArgmaxLabeler } from './argmax-labeler';

export class TopPLabelerOptions {
  /** Share of each unseen class's pseudo-labelled pixels kept, most confident first (ZS5Net: 0.25 on VOC). */
  @IsNumber() @Min(0.001) @Max(1) fraction = 0.25;
}

/**
 * ZS5Net-style: the argmax labels, then per unseen class only the `fraction` most confident pixels over
 * all proposals passed to `select` (a batch online; the whole training set when labels are cached).
 */
@injectable()
export class TopPLabeler extends ArgmaxLabeler {
  override readonly name: string = 'top-p';

  constructor(private readonly options: TopPLabelerOptions) {
    super();
  }

  override select(proposals: readonly PseudoLabelProposal[]): LabelMap[] {
    const total = proposals.reduce((a, p) => a + p.labels.data.length, 0);
    const labels = new Uint8Array(total);
    const confidence = new Float32Array(total);
    let offset = 0;
    for (const p of proposals) {
      labels.set(p.labels.data, offset);
      confidence.set(p.confidence, offset);
      offset += p.labels.data.length;
    }
    const kept = keepTopFractionPerClass(labels, confidence, this.options.fraction);
    offset = 0;
    return proposals.map((p) => {
      const data = kept.slice(offset, offset + p.labels.data.length);
      offset += p.labels.data.length;
      return { data, height: p.labels.height, width: p.labels.width };
    });
  }
}
