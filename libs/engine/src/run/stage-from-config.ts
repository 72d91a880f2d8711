import { TrainSection } from '@zls/core';
import type { StageSpec } from '../train/stage-spec';

/** A training stage's spec from its config section (defaults filled in by the schema class). */
export function stageFromConfig(name: string, round: number, section: TrainSection | undefined, classes: readonly number[]): StageSpec {
  const t = section ?? new TrainSection();
  return {
    name,
    round,
    iterations: t.iterations,
    optimizer: t.optimizer,
    lr: t.lr,
    momentum: t.momentum,
    weightDecay: t.weightDecay,
    lrPolicy: t.lrPolicy,
    lrPower: t.lrPower,
    lrUpdateEvery: t.lrUpdateEvery,
    headLrMultipliers: t.headLrMultipliers,
    classes,
    checkpointEvery: t.checkpointEvery,
    divergenceFactor: t.divergenceFactor,
  };
}
