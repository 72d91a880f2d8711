import * as fs from 'node:fs';
import * as path from 'node:path';
import { configHash, writeFileAtomic, ZlsError } from '@zls/core';
import type { RunContext, RunExperimentOptions } from './run-context';
import type { RunResult, StageOutcome } from './run-result';
import { heldOutStageKey } from './stage-keys';
import { StageLocks } from './stage-lock';
import { planStages } from './stage-plan';
import { builtInStages } from './stage-registry';
import { trainHeldOutStage } from './stages/held-out-stage';

/**
 * One experiment end to end, as a pipeline of stages: the supervised SPNet stage, ZS3Net's feature generation,
 * rounds of self-training (SPNet+ST, ZS5-style top-p, STRICT) and calibration (SPNet-c), each stage scored on the
 * evaluation split and every round's pseudo-labels scored against the hidden labels.
 */
export async function runExperiment(options: RunExperimentOptions): Promise<RunResult> {
  return (await withStageLocks(options, (locks) => runPipeline(options, locks))) as RunResult;
}

/**
 * A stage job (one node of an ablation's stage graph): trains this experiment's stages up to and including the
 * one keyed `stageKey` (finished ones are read back) and stops there; nothing is scored, no results are written.
 */
export async function trainStagesUpTo(options: RunExperimentOptions, stageKey: string): Promise<void> {
  const planned = planStages(options.experiment, options.config).map((s) => s.key);
  if (!planned.includes(stageKey)) throw new ZlsError(`${stageKey} is not a stage of this experiment (its stages: ${planned.join(', ')})`);
  await withStageLocks(options, (locks) => runPipeline(options, locks, stageKey));
}

async function withStageLocks<T>(options: RunExperimentOptions, body: (locks: StageLocks) => Promise<T>): Promise<T> {
  const locks = new StageLocks({ ...options.stageLocks, print: options.print, signal: options.signal });
  try {
    return await body(locks);
  } finally {
    locks.releaseAll();
  }
}

async function runPipeline(options: RunExperimentOptions, locks: StageLocks, stopAfter?: string): Promise<RunResult | undefined> {
  const started = Date.now();
  const { experiment: exp, config, services, runDir } = options;
  const ctx: RunContext = {
    options,
    experiment: exp,
    config,
    services,
    print: options.print ?? (() => undefined),
    locks,
    stopAfter,
    supervised: false,
    outcomes: [],
    quality: [],
    stopped: false,
  };
  const stages = (options.stages ?? builtInStages()).pipeline({ experiment: exp, config, services });
  fs.mkdirSync(runDir, { recursive: true });
  // A stage job for SPNet-c's held-out SPNet needs no other stage.
  if (stopAfter !== undefined && stopAfter === heldOutStageKey(config, exp.calibration)) {
    (await trainHeldOutStage(ctx)).dispose();
    return undefined;
  }
  let last: StageOutcome | undefined;
  for (const stage of stages) {
    const outcome = await stage.run(ctx);
    if (ctx.stopped) return undefined;
    if (outcome) last = outcome;
  }
  ctx.model?.dispose();
  if (stopAfter !== undefined) return undefined;
  if (!last) throw new ZlsError('the run scored no stage');

  const result: RunResult = {
    name: exp.name,
    seed: exp.seed,
    configHash: configHash(config),
    headline: last.headline,
    stages: ctx.outcomes,
    calibration: ctx.calibration,
    labeller: exp.selfTraining.rounds > 0 ? services.labeler?.rule : undefined,
    pseudoLabelQuality: ctx.quality,
    seconds: (Date.now() - started) / 1000,
  };
  writeFileAtomic(path.join(runDir, 'results.json'), JSON.stringify(result, null, 2) + '\n');
  return result;
}
