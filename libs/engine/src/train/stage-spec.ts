import type { LrPolicy } from '../schedule/lr-schedule';

/** Everything that defines one training stage (SPNet's supervised stage, or one self-training round). */
export interface StageSpec {
  /** Names the stage in logs and checkpoints, e.g. `spnet` or `round-2`. */
  name: string;
  round: number;
  iterations: number;
  optimizer: 'sgd' | 'adam';
  lr: number;
  momentum: number;
  weightDecay: number;
  lrPolicy: LrPolicy;
  lrPower: number;
  /** Recompute the learning rate every N steps (reference: 10). */
  lrUpdateEvery: number;
  /** DeepLab multipliers (head weights 10×, head biases 20× without decay); false: 1× everywhere. */
  headLrMultipliers: boolean;
  /** Output indices the loss is computed over (seen classes in SPNet, all classes for a student). */
  classes: readonly number[];
  /**
   * Train on the model's multi-scale outputs where it has them (`model.multiScale`): SPNet's supervised stages.
   * Self-training students train single-scale, as STRICT's code trains them (method.md §4.1).
   */
  multiScale?: boolean;
  /** Save a checkpoint every N steps (0: only at the end). */
  checkpointEvery: number;
  /** Stop when a loss in the first 100 steps exceeds the first one × this (absent or 0: no check). */
  divergenceFactor?: number;
}
