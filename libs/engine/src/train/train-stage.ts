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
import { maskedCrossEntropy, targetPositions } from '../loss/masked-cross-entropy';
import { Adam } from '../optim/adam';
import type { Optimizer } from '../optim/optimizer';
import { SgdMomentum } from '../optim/sgd';
import { learningRate } from '../schedule/lr-schedule';
import type { JsonlLog } from './jsonl-log';
import { paramSlots } from './param-slots';
import type { ProgressLine } from './progress';
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
}

export interface StageResult {
  /** Steps run in this call (0 when the stage had already finished). */
  stepsRun: number;
  resumedFrom: number;
  lastLoss: number;
}

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

function makeOptimizer(spec: StageSpec, model: SegmentationModel): Optimizer {
  const slots = paramSlots(model.trainable(), spec);
  return spec.optimizer === 'adam' ? new Adam(slots) : new SgdMomentum(slots, spec.momentum);
}

/**
 * Runs one stage: a fresh optimiser and schedule, resumed from the stage's latest checkpoint when there is
 * one, checkpointing every `checkpointEvery` steps and at the end. A non-finite loss stops the stage with
 * the step named; the last good checkpoint stays as it was.
 */
export async function trainStage(options: TrainStageOptions): Promise<StageResult> {
  const { model, spec, checkpointer } = options;
  const stateVars = model.stateVariables();
  const optimizer = makeOptimizer(spec, model);
  const trainable = model.trainable().map((t) => t.variable);
  let step = 0;
  const saved = checkpointer?.latest(spec.name);
  if (saved) {
    restoreVariables(stateVars, saved.weights);
    optimizer.load(saved.optimizer);
    step = saved.meta.step;
  }
  const resumedFrom = step;
  let lastLoss = NaN;
  if (step >= spec.iterations) {
    optimizer.dispose();
    return { stepsRun: 0, resumedFrom, lastLoss };
  }
  const save = (at: number) =>
    checkpointer?.save(recordVariables(stateVars), optimizer.state(), {
      configHash: options.configHash ?? '',
      classSpace: options.classSpaceName ?? '',
      stage: spec.name,
      round: spec.round,
      step: at,
    });

  const source = await options.openSource(step);
  try {
    while (step < spec.iterations) {
      const batch = await source.next();
      const targets = options.targets ? await options.targets(batch) : batch.targets;
      const { positions, valid } = targetPositions(targets, spec.classes);
      const lr = learningRate(
        { policy: spec.lrPolicy, baseLr: spec.lr, totalSteps: spec.iterations, power: spec.lrPower, updateEvery: spec.lrUpdateEvery },
        step,
      );
      const { value, grads } = tf.variableGrads(() => {
        const images = tf.tensor4d(batch.images, batch.shape as [number, number, number, number]);
        return maskedCrossEntropy(model.forward(images, true, spec.classes), positions, valid);
      }, trainable);
      lastLoss = (await value.data())[0];
      value.dispose();
      if (!Number.isFinite(lastLoss)) {
        tf.dispose(grads);
        throw new ZlsError(`stage ${spec.name}: loss became ${lastLoss} at step ${step + 1}; stopped, the last good checkpoint is kept`);
      }
      optimizer.apply(trainable.map((v) => grads[v.name]), lr);
      tf.dispose(grads);
      step += 1;
      options.log?.write({ stage: spec.name, round: spec.round, step, loss: lastLoss, lr, validPixels: valid, time: Date.now() });
      options.progress?.update(step, lastLoss, batch.shape[0], resumedFrom);
      if (options.signal?.aborted && step < spec.iterations) {
        save(step);
        throw new ZlsError(`stage ${spec.name}: interrupted at step ${step} of ${spec.iterations}; checkpoint saved, run again to resume`);
      }
      if (spec.checkpointEvery > 0 && step % spec.checkpointEvery === 0 && step < spec.iterations) save(step);
    }
    save(step);
  } finally {
    await source.close();
    optimizer.dispose();
  }
  return { stepsRun: step - resumedFrom, resumedFrom, lastLoss };
}
