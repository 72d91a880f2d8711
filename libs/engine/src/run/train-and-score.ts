import * as path from 'node:path';
import { writeFileAtomic, type BatchSource, type LabelMap, type SegmentationModel, type TrainingBatch } from '@zls/core';
import { JsonlLog } from '../train/jsonl-log';
import { ProgressLine } from '../train/progress';
import type { StageSpec } from '../train/stage-spec';
import { trainStage, type StageResult } from '../train/train-stage';
import { evaluateModel } from './evaluate-model';
import { EXAMPLES_DIR, ExampleMaps } from './example-maps';
import { withFrozenView, withTestView } from './frozen-view';
import type { RunContext } from './run-context';
import type { StageOutcome } from './run-result';

export interface StageTraining {
  model: SegmentationModel;
  spec: StageSpec;
  /** The stage's folder name under the stage root (its content key). */
  key: string;
  /** The progress line's label. */
  label: string;
  openSource: (startStep: number) => BatchSource | Promise<BatchSource>;
  targets?: (batch: TrainingBatch) => Promise<readonly LabelMap[]> | readonly LabelMap[];
  /** Class space named in the checkpoints (default: the run's data). */
  classSpaceName?: string;
  fromInitialWeights?: boolean;
  /** Say on the console when the stage resumes from a checkpoint (default: yes). */
  announceResume?: boolean;
}

/** A stage's folder under the run's stage root. */
export function stageDir(ctx: RunContext, key: string): string {
  return path.join(ctx.options.stageRoot, key);
}

/** Each stage logs into its own folder, so a run that reuses a stage still finds its training curve. */
export function stageLog(dir: string): JsonlLog {
  return new JsonlLog(path.join(dir, 'train.jsonl'));
}

/**
 * Trains (or resumes, or reads back) one stage in its folder, holding the folder's lock: checkpoints and
 * training curve beside each other, resumption said on the console.
 */
export async function trainInStageFolder(ctx: RunContext, t: StageTraining): Promise<StageResult> {
  const { options } = ctx;
  const dir = stageDir(ctx, t.key);
  await ctx.locks.acquire(dir);
  const result = await trainStage({
    model: t.model,
    spec: t.spec,
    openSource: t.openSource,
    targets: t.targets,
    checkpointer: ctx.services.models.checkpointer(dir),
    configHash: t.key,
    classSpaceName: t.classSpaceName ?? ctx.services.data.classSpace.name,
    log: stageLog(dir),
    progress: options.showProgress ? new ProgressLine(t.label, t.spec.iterations) : undefined,
    signal: options.signal,
    graphs: options.graphs,
    fromInitialWeights: t.fromInitialWeights,
  });
  ctx.locks.release(dir);
  if (t.announceResume !== false && result.resumedFrom > 0 && result.stepsRun > 0) ctx.print(`${t.spec.name}: resumed from the step-${result.resumedFrom} checkpoint`);
  return result;
}

export interface Scoring {
  model: SegmentationModel;
  /** The outcome's name (`spnet`, `zs3net`, `round-1`, `calibrated`, …): names its metrics file and examples. */
  name: string;
  key: string;
  trained: boolean;
  /** When the stage started (ms). */
  t0: number;
  gamma?: number;
  /** The model is SPNet's supervised stage, which a multi-scale SPNet scores as the reference does. */
  supervised?: boolean;
}

/** Scores a stage on the evaluation split, keeps its example maps and metrics file, and records its outcome. */
export async function scoreStage(ctx: RunContext, s: Scoring): Promise<StageOutcome> {
  const { name, key, trained, t0, gamma = 0 } = s;
  // A stage job scores nothing: the run that uses the stage does.
  if (ctx.stopAfter !== undefined) return { name, key, headline: { seen: NaN, unseen: NaN, harmonic: NaN }, trained, seconds: 0 };
  const { runDir, stageRoot } = ctx.options;
  const { data, metrics } = ctx.services;
  const space = data.classSpace;
  const kept = new ExampleMaps(path.join(runDir, EXAMPLES_DIR, name), ctx.experiment.eval.examples);
  // With graph engines on, frozen passes run as whole-graph inference too.
  const [acc] = await withTestView(s.model, s.supervised ?? false, (scored) =>
    withFrozenView(scored, ctx.options.graphs?.threads, (m) =>
      evaluateModel(m, data.pass('eval', ctx.experiment.eval.batchSize), metrics, space, { seen: space.seenIndices, unseen: space.unseenIndices }, [gamma], (id, p) => kept.add(id, p)),
    ),
  );
  kept.finish('eval');
  writeFileAtomic(path.join(runDir, 'metrics', `${name}.json`), JSON.stringify(acc.json(), null, 2) + '\n');
  const dir = path.relative(runDir, path.join(stageRoot, key));
  const outcome: StageOutcome = { name, key, dir, headline: acc.headline(), trained, seconds: (Date.now() - t0) / 1000 };
  ctx.outcomes.push(outcome);
  const h = outcome.headline;
  const note = gamma !== 0 ? ` (γ = ${gamma})` : trained ? '' : ' (stage reused)';
  // NaN: no class of that group occurs in the evaluation split (a small test folder), not a failed score.
  const score = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : 'n/a');
  ctx.print(`${name}: seen ${score(h.seen)} | unseen ${score(h.unseen)} | harmonic ${score(h.harmonic)}${note}`);
  return outcome;
}

/** A stage job's stage is trained: free its model and stop the pipeline there. */
export function stopHere(ctx: RunContext, model: SegmentationModel): undefined {
  model.dispose();
  ctx.model = undefined;
  ctx.stopped = true;
  return undefined;
}
