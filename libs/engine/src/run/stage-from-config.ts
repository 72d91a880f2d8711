import type { TrainSection } from '@zls/core';
import type { StageSpec } from '../train/stage-spec';

/**
 * A training stage's spec from its config section (the typed experiment's: defaults filled in). Round 0 (SPNet's
 * supervised stages) trains on the model's multi-scale outputs where it has them; rounds ≥ 1 (students) do not.
 */
export function stageFromConfig(name: string, round: number, t: TrainSection, classes: readonly number[]): StageSpec {
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
