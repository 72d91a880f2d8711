import * as tf from '@tensorflow/tfjs';
import { ZlsError, type GraphTrainer, type GraphTrainerRequest, type TensorRecord } from '@zls/core';
import { hwioToOihwData, oihwToHwioData } from '../onnx/filter-layout';
import type { InitializerSpec, OnnxGraphIR } from '../onnx/onnx-graph-builder';
import { buildTrainingGraph, type TrainingGraph, type TrainingLoss } from './build-training-graph';
import { nchwcBlockSize } from './nchwc-convolution';
import { OnnxTrainingSession } from './onnx-training-session';

function toVariableLayout(init: InitializerSpec, data: Float32Array): Float32Array {
  return init.origin?.layout === 'hwio-to-oihw' ? oihwToHwioData(data, init.dims) : data;
}

function toGraphLayout(init: InitializerSpec, data: Float32Array, variableShape: readonly number[]): Float32Array {
  return init.origin?.layout === 'hwio-to-oihw' ? hwioToOihwData(data, variableShape) : Float32Array.from(data);
}

/** A training graph over any forward graph and loss, for variables its initializers came from. */
export interface VariableGraphSessionRequest {
  /** A forward graph whose trained initializers name their tfjs variables (`origin`). */
  forward: OnnxGraphIR;
  /** Static sizes of every forward input. */
  inputDims: Record<string, number[]>;
  loss: TrainingLoss;
  slots: GraphTrainerRequest['slots'];
  optimizer: GraphTrainerRequest['optimizer'];
  executionProviders: readonly string[];
  threads: number;
}

/**
 * Builds the training graph of `request` and a session for it: each trained variable is found by identity
 * among the initializers' origins, and writeBack() copies results into the variables in their own layout.
 * The segmentation nets use it through createVariableGraphTrainer; ZS3Net's generator (MMD) and classifier
 * retraining (class-weighted cross-entropy) call it with their own losses.
 */
export async function createVariableGraphSession(request: VariableGraphSessionRequest): Promise<VariableGraphSession> {
  const { forward } = request;
  const byVariable = new Map<object, InitializerSpec>();
  for (const init of forward.initializers) if (init.origin) byVariable.set(init.origin.variable, init);
  const trained = request.slots.map((slot) => {
    const init = byVariable.get(slot.variable);
    if (!init) throw new ZlsError(`graph trainer: variable '${slot.variable.name}' is trained but the network's ONNX export does not read it`);
    return { variable: slot.variable, init };
  });
  const graph = await buildTrainingGraph({
    forward,
    inputDims: request.inputDims,
    parameters: trained.map(({ init }, i) => ({ name: init.name, lrMultiplier: request.slots[i].lrMultiplier, weightDecay: request.slots[i].weightDecay })),
    loss: request.loss,
    optimizer: request.optimizer,
    // onnxruntime's NCHWc kernels exist on its CPU execution provider only.
    nchwcBlock: request.executionProviders.every((p) => p === 'cpu') ? await nchwcBlockSize() : undefined,
  });
  const adam = request.optimizer.kind === 'adam' ? { beta1: request.optimizer.beta1, beta2: request.optimizer.beta2 } : undefined;
  const session = await OnnxTrainingSession.create(graph, { threads: request.threads, executionProviders: [...request.executionProviders], adam });
  return new VariableGraphSession(session, graph, trained, forward.initializers, request.optimizer.kind);
}

/**
 * A GraphTrainer for any forward graph whose initializers name the tfjs variables they came from: the graph
 * minimises the masked cross-entropy of the `scores` output [N, H, W, K] of the images (first) input, or the
 * loss given (SPNet's multi-scale cross-entropy), fed the same per-pixel class positions.
 */
export async function createVariableGraphTrainer(forward: OnnxGraphIR, scores: string | TrainingLoss, request: GraphTrainerRequest): Promise<GraphTrainer> {
  const images = forward.inputs[0];
  const session = await createVariableGraphSession({
    forward,
    inputDims: { [images.name]: [...request.batchShape] },
    loss: typeof scores === 'string' ? { kind: 'masked-cross-entropy', scores } : scores,
    slots: request.slots,
    optimizer: request.optimizer,
    executionProviders: request.executionProviders,
    threads: request.threads,
  });
  return new VariableGraphTrainer(session, images.name);
}

/** Parameters and optimiser state live in the onnxruntime session until writeBack() copies them out. */
export class VariableGraphSession {
  constructor(
    private readonly session: OnnxTrainingSession,
    readonly graph: TrainingGraph,
    private readonly trained: { variable: tf.Variable; init: InitializerSpec }[],
    private readonly initializers: readonly InitializerSpec[],
    private readonly optimizer: 'sgd' | 'adam',
  ) {}

  /** One step on the named inputs (data and dropout masks) and the loss's targets; returns the loss. */
  async step(inputs: Record<string, Float32Array>, targets: Int32Array | Float32Array | undefined, lr: number): Promise<number> {
    const { loss } = await this.session.step({ inputs, targets, lr });
    return loss;
  }

  writeBack(): void {
    const stateNames = new Set(this.graph.state.map((s) => s.input));
    for (const init of this.initializers) {
      if (!init.origin || !stateNames.has(init.name)) continue;
      const variable = init.origin.variable as tf.Variable;
      tf.tidy(() => variable.assign(tf.tensor(toVariableLayout(init, this.session.value(init.name)), variable.shape)));
    }
  }

  /** Optimiser buffers with the tfjs optimisers' keys (libs/engine/src/optim), in the variables' layout. */
  private buffers(): [string, string][] {
    return this.optimizer === 'sgd' ? [['sgd.momentum', '__momentum']] : [['adam.m', '__adam_m'], ['adam.v', '__adam_v']];
  }

  optimizerState(): TensorRecord {
    const out: TensorRecord = {};
    if (this.optimizer === 'adam') out['adam.step'] = { data: Float32Array.of(this.session.stepCount), shape: [1] };
    this.trained.forEach(({ variable, init }, i) => {
      for (const [key, suffix] of this.buffers()) out[`${key}.${i}`] = { data: Float32Array.from(toVariableLayout(init, this.session.value(init.name + suffix))), shape: variable.shape.slice() };
    });
    return out;
  }

  loadOptimizerState(state: TensorRecord): void {
    const values: Record<string, Float32Array> = {};
    this.trained.forEach(({ variable, init }, i) => {
      for (const [key, suffix] of this.buffers()) {
        const saved = state[`${key}.${i}`];
        if (!saved) {
          if (this.optimizer === 'adam') throw new ZlsError(`optimizer state ${key}.${i} is missing`);
          continue; // SGD's buffer starts at zero, as before its first step
        }
        if (saved.shape.join() !== variable.shape.join()) throw new ZlsError(`optimizer state ${key}.${i} has shape [${saved.shape}], its variable is [${variable.shape}]`);
        values[init.name + suffix] = toGraphLayout(init, saved.data, variable.shape);
      }
    });
    this.session.setValues(values);
    if (this.optimizer === 'adam') {
      const step = state['adam.step'];
      if (!step) throw new ZlsError('optimizer state has no adam.step: it was not written by Adam');
      this.session.stepCount = step.data[0];
    }
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}

/** The GraphTrainer face of a session: images in, per-pixel class positions as the targets. */
class VariableGraphTrainer implements GraphTrainer {
  constructor(
    private readonly session: VariableGraphSession,
    private readonly imagesInput: string,
  ) {}

  step(images: Float32Array, positions: Int32Array, lr: number): Promise<number> {
    return this.session.step({ [this.imagesInput]: images }, positions, lr);
  }

  writeBack(): void {
    this.session.writeBack();
  }

  optimizerState(): TensorRecord {
    return this.session.optimizerState();
  }

  loadOptimizerState(state: TensorRecord): void {
    this.session.loadOptimizerState(state);
  }

  dispose(): Promise<void> {
    return this.session.dispose();
  }
}
