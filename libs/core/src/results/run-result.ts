import type { HeadlineScores } from '../interfaces/services';
import type { PseudoLabelQualityResult } from './pseudo-label-quality';

/** One stage of a run (a supervised model, a self-training round) and its scores. */
export interface StageOutcome {
  /** `spnet`, `spnet-c`, `round-1`, … */
  name: string;
  key: string;
  /** The stage's folder (checkpoints, train.jsonl, pseudo-label examples), relative to the run folder. */
  dir?: string;
  headline: HeadlineScores;
  /** Whether the stage was trained in this run (false: found finished under its key). */
  trained: boolean;
  seconds: number;
}

export interface CalibrationOutcome {
  rule: string;
  gamma: number;
  /** Harmonic mIoU for each γ on the split the rule looks at. */
  sweep: { gamma: number; harmonic: number }[];
}

/** The pseudo-label quality of one self-training round. */
export interface RoundQuality {
  round: number;
  quality: PseudoLabelQualityResult;
}

/** What a run leaves in results.json: every stage's scores, the pseudo-label quality per round, timings. */
export interface RunResult {
  name: string;
  seed: number;
  configHash: string;
  /** The final model's scores (after calibration when the experiment calibrates). */
  headline: HeadlineScores;
  stages: StageOutcome[];
  calibration?: CalibrationOutcome;
  /** The pseudo-label rule of the self-training rounds, in words (absent without rounds). */
  labeller?: string;
  pseudoLabelQuality: RoundQuality[];
  seconds: number;
}
