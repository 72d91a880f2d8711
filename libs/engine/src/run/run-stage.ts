import type { RunContext } from './run-context';
import type { StageOutcome } from './run-result';

/**
 * One step of a run's pipeline: trains (or reads back) what it needs, moves the context's chain on, and returns
 * its scored outcome (undefined: it scored nothing, e.g. a stage job that stopped here).
 */
export interface RunStage {
  /** How the stage is named on the console and in errors. */
  readonly name: string;
  run(ctx: RunContext): Promise<StageOutcome | undefined>;
}
