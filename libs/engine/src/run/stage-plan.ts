import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExperimentSchema, Plain } from '@zls/core';
import { stageFromConfig } from './stage-from-config';
import { baseStageKey, generativeStageKey, heldOutStageKey, roundStageKey } from './stage-keys';

/** A stage an experiment trains, as runExperiment names and keys it. */
export interface PlannedStage {
  /** The stage folder's name under the stage root (its content key). */
  key: string;
  /** The stage's checkpoint name: `spnet`, `zs3`, `round-1`, …, `spnet-held-out`. */
  name: string;
  /** The step of its final checkpoint. */
  steps: number;
  /** The stage it starts from; none: from the initial weights. */
  after?: string;
  /** Files besides the final checkpoint that a finished stage has. */
  files: readonly string[];
}

/**
 * The stages of one experiment config in the order runExperiment trains them: the supervised SPNet, ZS3Net's
 * generative stage (when the config has `generative`), each round of self-training, then the held-out SPNet of
 * the held-out-seen calibration rule, which starts from nothing and so needs no other stage. Keys come from
 * the raw config (`config`), everything else from the validated experiment.
 */
export function planStages(exp: ExperimentSchema, config: Plain): PlannedStage[] {
  const stages: PlannedStage[] = [];
  let previous = baseStageKey(config);
  stages.push({ key: previous, name: 'spnet', steps: stageFromConfig('spnet', 0, exp.train, []).iterations, files: [] });
  if (config['generative'] !== undefined) {
    const key = generativeStageKey(previous, config);
    stages.push({ key, name: 'zs3', steps: 1, after: previous, files: [] });
    previous = key;
  }
  const rounds = exp.selfTraining.rounds;
  for (let round = 1; round <= rounds; round++) {
    const key = roundStageKey(previous, config, round);
    const name = `round-${round}`;
    stages.push({ key, name, steps: stageFromConfig(name, round, exp.selfTraining.train, []).iterations, after: previous, files: ['pseudo-label-quality.json'] });
    previous = key;
  }
  if (exp.calibration.rule === 'held-out-seen') {
    stages.push({ key: heldOutStageKey(config, exp.calibration), name: 'spnet-held-out', steps: stageFromConfig('spnet-held-out', 0, exp.train, []).iterations, files: [] });
  }
  return stages;
}

/** The step of a stage's newest checkpoint in its folder (0: none yet), from the file names alone. */
export function checkpointStep(stageDir: string, name: string): number {
  if (!fs.existsSync(stageDir)) return 0;
  const pattern = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-step(\\d+)\\.safetensors$`);
  let step = 0;
  for (const f of fs.readdirSync(stageDir)) {
    const m = pattern.exec(f);
    if (m) step = Math.max(step, Number(m[1]));
  }
  return step;
}

/** Whether a stage's folder holds its finished result (final checkpoint and its other files). */
export function stageFinished(stageRoot: string, stage: PlannedStage): boolean {
  const dir = path.join(stageRoot, stage.key);
  return checkpointStep(dir, stage.name) >= stage.steps && stage.files.every((f) => fs.existsSync(path.join(dir, f)));
}
