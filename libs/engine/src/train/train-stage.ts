import * as tf from '@tensorflow/tfjs';
import {
  ZlsError,
  type BatchSource,
  type Checkpointer,
  type LabelMap,
  type SegmentationModel,
  type TensorRecord,
  type TrainingBatch,
} from '@zls/core';
import { targetPositions } from '../loss/masked-cross-entropy';
import { learningRate } from '../schedule/lr-schedule';
import type { JsonlLog } from './jsonl-log';
import { createStepRunner, type GraphTrainingOptions } from './step-runners';
import { formatStageEstimate, StageTimer, type ProgressLine } from './progress';
import type { StageSpec } from './stage-spec';

export interface TrainStageOptions {
  model: SegmentationModel;
  spec: StageSpec;
  /** Opens the batch stream positioned at `startStep`, so a resumed stage sees the same data. */
  openSource: (startStep: number) => BatchSource | Promise<BatchSource>;
  /** The targets to learn from for a batch; default: the batch's own (human) targets. */
  targets?: (batch: TrainingBatch) => Promise<readonly LabelMap[]> | readonly LabelMap[];
  checkpointer?: Checkpointer;
  configHash?: string;
  classSpaceName?: string;
  log?: JsonlLog;
  progress?: ProgressLine;
  /** When aborted (e.g. on SIGINT), the stage saves a checkpoint after the current step and stops. */
  signal?: AbortSignal;
  /** Run each step as one onnxruntime graph where the model can build one; absent: tfjs autodiff. */
  graphs?: GraphTrainingOptions;
  /**
   * The stage starts from the model's initial weights (the supervised stage, not a student copied from its
   * generator): before a fresh start's first step, the model may estimate untrained statistics from the batch.
   */
  fromInitialWeights?: boolean;
  /** Milliseconds clock for the log's times and the stage estimate (default Date.now). */
  clock?: () => number;
}

export interface StageResult {
  /** Steps run in this call (0 when the stage had already finished). */
  stepsRun: number;
  resumedFrom: number;
  lastLoss: number;
}

/** Steps over which a loss growing past divergenceFactor × the first loss stops the stage. */
const DIVERGENCE_WINDOW = 100;

/** A model's variables as checkpoint tensors. */
export function recordVariables(variables: Record<string, tf.Variable>): TensorRecord {
  const out: TensorRecord = {};
  for (const [name, v] of Object.entries(variables)) out[name] = { data: v.dataSync() as Float32Array, shape: v.shape.slice() };
  return out;
}

/** Loads checkpoint tensors into a model's variables, refusing missing names and wrong shapes. */
export function restoreVariables(variables: Record<string, tf.Variable>, saved: TensorRecord): void {
  for (const [name, v] of Object.entries(variables)) {
    const s = saved[name];
    if (!s) throw new ZlsError(`checkpoint has no tensor "${name}"`);
    if (s.shape.join() !== v.shape.join()) throw new ZlsError(`checkpoint tensor "${name}" has shape [${s.shape}], the model expects [${v.shape}]`);
    v.assign(tf.tensor(s.data, s.shape));
  }
}

/**
 * Runs one stage: a fresh optimiser and schedule, resumed from the stage's latest checkpoint when there is
 * one, checkpointing every `checkpointEvery` steps and at the end. A non-finite loss stops the stage with
 * the step named; the last good checkpoint stays as it was.
 */
export async function trainStage(options: TrainStageOptions): Promise<StageResult> {
  const { model, spec, checkpointer } = options;
  const stateVars = model.stateVariables();
  let step = 0;
  const saved = checkpointer?.latest(spec.name);
  if (saved) {
    restoreVariables(stateVars, saved.weights);
    step = saved.meta.step;
  }
  const resumedFrom = step;
  let lastLoss = NaN;
  if (step >= spec.iterations) return { stepsRun: 0, resumedFrom, lastLoss };
  const runner = createStepRunner(model, spec, options.graphs);
  if (saved) runner.loadOptimizerState(saved.optimizer);
  const save = (at: number) => {
    if (!checkpointer) return;
    runner.sync();
    checkpointer.save(recordVariables(stateVars), runner.optimizerState(), {
      configHash: options.configHash ?? '',
      classSpace: options.classSpaceName ?? '',
      stage: spec.name,
      round: spec.round,
      step: at,
    });
  };

  let first: { loss: number; step: number } | undefined;
  const clock = options.clock ?? Date.now;
  const timer = new StageTimer(resumedFrom, spec.iterations, clock);
  const source = await options.openSource(step);
  try {
    while (step < spec.iterations) {
      const batch = await source.next();
      const targets = options.targets ? await options.targets(batch) : batch.targets;
      const { positions, valid } = targetPositions(targets, spec.classes);
      if (step === 0 && options.fromInitialWeights && model.initialiseUntrainedStatistics) {
        const images = tf.tensor4d(batch.images, batch.shape as [number, number, number, number]);
        try {
          if (model.initialiseUntrainedStatistics(images)) options.progress?.note(`stage ${spec.name}: random initialisation, frozen batch-norm statistics estimated from the first batch`);
        } finally {
          images.dispose();
        }
      }
      const lr = learningRate(
        { policy: spec.lrPolicy, baseLr: spec.lr, totalSteps: spec.iterations, power: spec.lrPower, updateEvery: spec.lrUpdateEvery },
        step,
      );
      lastLoss = await runner.step(batch, positions, valid, lr);
      if (!Number.isFinite(lastLoss)) {
        throw new ZlsError(`stage ${spec.name}: loss became ${lastLoss} at step ${step + 1}; stopped, the last good checkpoint is kept`);
      }
      if (first === undefined) first = { loss: lastLoss, step: step + 1 };
      const factor = spec.divergenceFactor ?? 0;
      if (factor > 0 && step < DIVERGENCE_WINDOW && first.loss > 0 && lastLoss > first.loss * factor) {
        throw new ZlsError(
          `stage ${spec.name}: loss grew from ${first.loss.toPrecision(4)} (step ${first.step}) to ${lastLoss.toPrecision(4)} (step ${step + 1}), ` +
            `more than divergenceFactor ${factor}×: the weights are diverging (a random initialisation where the protocol needs pretrained ` +
            `weights, or a learning rate too high); stopped, the last good checkpoint is kept`,
        );
      }
      step += 1;
      // After the first timed steps: the stage's expected time, printed once and kept in that step's log line.
      const estimate = timer.stepDone(step);
      const engine = estimate && (runner.engine === 'onnx-graph' ? `ort-${options.graphs?.executionProviders[0] ?? 'cpu'} graphs` : `tfjs ${tf.getBackend()}`);
      options.log?.write({
        stage: spec.name,
        round: spec.round,
        step,
        loss: lastLoss,
        lr,
        validPixels: valid,
        engine: runner.engine,
        time: clock(),
        ...(estimate && { estimate: { ...estimate, engine } }),
      });
      if (estimate && engine) options.progress?.note(formatStageEstimate(spec.name, estimate, engine, resumedFrom));
      options.progress?.update(step, lastLoss, batch.shape[0], resumedFrom);
      if (options.signal?.aborted && step < spec.iterations) {
        save(step);
        throw new ZlsError(`stage ${spec.name}: interrupted at step ${step} of ${spec.iterations}; checkpoint saved, run again to resume`);
      }
      if (spec.checkpointEvery > 0 && step % spec.checkpointEvery === 0 && step < spec.iterations) save(step);
    }
    save(step);
    runner.sync();
  } finally {
    await source.close();
    await runner.dispose();
  }
  return { stepsRun: step - resumedFrom, resumedFrom, lastLoss };
}
