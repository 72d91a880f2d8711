import { TrainSection } from '@zls/core';
import type { StageSpec } from '../train/stage-spec';

/**
 * A training stage's spec from its config section (defaults filled in by the schema class). Round 0 (SPNet's
 * supervised stages) trains on the model's multi-scale outputs where it has them; rounds ≥ 1 (students) do not.
 */
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
    multiScale: round === 0,
    checkpointEvery: t.checkpointEvery,
    divergenceFactor: t.divergenceFactor,
  };
}
