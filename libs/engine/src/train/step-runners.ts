import * as tf from '@tensorflow/tfjs';
import type { GraphTrainer, SegmentationModel, TensorRecord, TrainingBatch } from '@zls/core';
import { maskedCrossEntropy, multiScaleCrossEntropy } from '../loss/masked-cross-entropy';
import { Adam } from '../optim/adam';
import type { Optimizer } from '../optim/optimizer';
import { SgdMomentum } from '../optim/sgd';
import { paramSlots } from './param-slots';
import type { StageSpec } from './stage-spec';

/** Where training graphs run: onnxruntime execution providers in order of preference, and threads. */
export interface GraphTrainingOptions {
  executionProviders: readonly string[];
  threads: number;
}

/** One optimisation step at a time, by whichever engine; the model's variables are current after sync(). */
export interface StepRunner {
  /** Which engine runs the steps (printed in logs). */
  readonly engine: 'onnx-graph' | 'tfjs';
  step(batch: TrainingBatch, positions: Int32Array, valid: number, lr: number): Promise<number>;
  /** Brings the model's variables up to date (before a checkpoint, and at the end). */
  sync(): void;
  optimizerState(): TensorRecord;
  loadOptimizerState(state: TensorRecord): void;
  dispose(): Promise<void>;
}

export const ADAM_SETTINGS = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;

/** tfjs autodiff with the tfjs optimisers: every backend, every model (the reference path). */
export class TfjsStepRunner implements StepRunner {
  readonly engine = 'tfjs';
  private readonly optimizer: Optimizer;
  private readonly trainable: tf.Variable[];

  constructor(
    private readonly model: SegmentationModel,
    private readonly spec: StageSpec,
  ) {
    const slots = paramSlots(model.trainable(), spec);
    this.optimizer = spec.optimizer === 'adam' ? new Adam(slots, ADAM_SETTINGS.beta1, ADAM_SETTINGS.beta2, ADAM_SETTINGS.epsilon) : new SgdMomentum(slots, spec.momentum);
    this.trainable = model.trainable().map((t) => t.variable);
  }

  async step(batch: TrainingBatch, positions: Int32Array, valid: number, lr: number): Promise<number> {
    const { value, grads } = tf.variableGrads(() => {
      const shape = batch.shape as [number, number, number, number];
      const images = tf.tensor4d(batch.images, shape);
      // SPNet's multi-scale stages: one cross-entropy term per output (each scale, then their max).
      const outputs = this.spec.multiScale ? this.model.multiScaleScores?.(images, true, this.spec.classes) : undefined;
      if (outputs) return multiScaleCrossEntropy(outputs, positions, [shape[0], shape[1], shape[2]]);
      return maskedCrossEntropy(this.model.forward(images, true, this.spec.classes), positions, valid);
    }, this.trainable);
    const loss = (await value.data())[0];
    value.dispose();
    // A non-finite loss leaves the variables as they were (the caller stops the stage).
    if (Number.isFinite(loss)) this.optimizer.apply(this.trainable.map((v) => grads[v.name]), lr);
    tf.dispose(grads);
    return loss;
  }

  sync(): void {
    // tfjs updates the model's variables in place: nothing to copy.
  }

  optimizerState(): TensorRecord {
    return this.optimizer.state();
  }

  loadOptimizerState(state: TensorRecord): void {
    this.optimizer.load(state);
  }

  async dispose(): Promise<void> {
    this.optimizer.dispose();
  }
}

/**
 * Each step as one onnxruntime graph (forward, loss, gradients and update). A graph is built for one batch
 * shape; a batch of another shape rebuilds it, carrying the parameters and optimiser state across.
 */
export class GraphStepRunner implements StepRunner {
  private trainer?: GraphTrainer;
  private fallback?: TfjsStepRunner;
  private shapeKey = '';
  private pendingState?: TensorRecord;

  constructor(
    private readonly model: SegmentationModel & Required<Pick<SegmentationModel, 'graphTrainer'>>,
    private readonly spec: StageSpec,
    private readonly options: GraphTrainingOptions,
  ) {}

  private async trainerFor(shape: readonly number[]): Promise<GraphTrainer | undefined> {
    const key = shape.join('x');
    if (this.trainer && key === this.shapeKey) return this.trainer;
    if (this.trainer) {
      this.trainer.writeBack();
      this.pendingState = this.trainer.optimizerState();
      await this.trainer.dispose();
      this.trainer = undefined;
    }
    const slots = paramSlots(this.model.trainable(), this.spec);
    const trainer = await this.model.graphTrainer({
      batchShape: shape as [number, number, number, number],
      classes: this.spec.classes,
      multiScale: this.spec.multiScale,
      slots,
      optimizer: this.spec.optimizer === 'adam' ? { kind: 'adam', ...ADAM_SETTINGS } : { kind: 'sgd', momentum: this.spec.momentum },
      executionProviders: this.options.executionProviders,
      threads: this.options.threads,
    });
    if (!trainer) return undefined;
    this.trainer = trainer;
    this.shapeKey = key;
    if (this.pendingState) this.trainer.loadOptimizerState(this.pendingState);
    this.pendingState = undefined;
    return this.trainer;
  }

  async step(batch: TrainingBatch, positions: Int32Array, valid: number, lr: number): Promise<number> {
    if (!this.fallback) {
      const trainer = await this.trainerFor(batch.shape);
      if (trainer) return trainer.step(batch.images, positions, lr);
      // The model cannot write a training graph (a part without ONNX): tfjs trains it, from the same state.
      this.fallback = new TfjsStepRunner(this.model, this.spec);
      if (this.pendingState) this.fallback.loadOptimizerState(this.pendingState);
    }
    return this.fallback.step(batch, positions, valid, lr);
  }

  /** 'tfjs' once the model turned out not to build training graphs. */
  get engine(): 'onnx-graph' | 'tfjs' {
    return this.fallback ? 'tfjs' : 'onnx-graph';
  }

  sync(): void {
    this.trainer?.writeBack();
  }

  optimizerState(): TensorRecord {
    if (this.fallback) return this.fallback.optimizerState();
    return this.trainer ? this.trainer.optimizerState() : (this.pendingState ?? {});
  }

  loadOptimizerState(state: TensorRecord): void {
    if (this.fallback) this.fallback.loadOptimizerState(state);
    else if (this.trainer) this.trainer.loadOptimizerState(state);
    else this.pendingState = state;
  }

  async dispose(): Promise<void> {
    await this.trainer?.dispose();
    await this.fallback?.dispose();
    this.trainer = undefined;
  }
}

/** The graph runner where the model can build training graphs and graphs are enabled; tfjs otherwise. */
export function createStepRunner(model: SegmentationModel, spec: StageSpec, graphs?: GraphTrainingOptions): StepRunner {
  if (graphs && typeof model.graphTrainer === 'function') return new GraphStepRunner(model as SegmentationModel & Required<Pick<SegmentationModel, 'graphTrainer'>>, spec, graphs);
  return new TfjsStepRunner(model, spec);
}
