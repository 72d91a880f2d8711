import 'reflect-metadata';
import { injectable } from 'tsyringe';
import { IGNORE_INDEX, type LabelMap, type PseudoLabeler, type PseudoLabelProposal, type PseudoLabelRequest } from '@zls/core';

export class NoLabelerOptions {}

/** SPNet: no pseudo-labels; candidate pixels stay ignored. */
@injectable()
export class NoLabeler implements PseudoLabeler {
  readonly name = 'none';
  readonly rule = 'no pseudo-labels';
  readonly selectsPerSample = true;

  async propose(request: PseudoLabelRequest): Promise<PseudoLabelProposal[]> {
    return request.targets.map((t) => ({
      labels: { data: new Uint8Array(t.data.length).fill(IGNORE_INDEX), height: t.height, width: t.width },
      confidence: new Float32Array(t.data.length),
    }));
  }

  select(proposals: readonly PseudoLabelProposal[]): LabelMap[] {
    return proposals.map((p) => p.labels);
  }
}
