import * as tf from '@tensorflow/tfjs';
import { ZlsError, type GraphTrainer, type GraphTrainerRequest, type TensorRecord } from '@zls/core';
import { hwioToOihwData, oihwToHwioData } from '../onnx/filter-layout';
import type { InitializerSpec, OnnxGraphIR } from '../onnx/onnx-graph-builder';
import { buildTrainingGraph, type TrainingGraph } from './build-training-graph';
import { OnnxTrainingSession } from './onnx-training-session';

function toVariableLayout(init: InitializerSpec, data: Float32Array): Float32Array {
  return init.origin?.layout === 'hwio-to-oihw' ? oihwToHwioData(data, init.dims) : data;
}

function toGraphLayout(init: InitializerSpec, data: Float32Array, variableShape: readonly number[]): Float32Array {
  return init.origin?.layout === 'hwio-to-oihw' ? hwioToOihwData(data, variableShape) : Float32Array.from(data);
}

/**
 * A GraphTrainer for any forward graph whose initializers name the tfjs variables they came from (their
 * `origin`): each trained variable is found by identity, the graph minimises the masked cross-entropy of the
 * `scores` output [N, H, W, K], and results are copied back into the variables in their own layout.
 */
export async function createVariableGraphTrainer(forward: OnnxGraphIR, scores: string, request: GraphTrainerRequest): Promise<GraphTrainer> {
  const byVariable = new Map<object, InitializerSpec>();
  for (const init of forward.initializers) if (init.origin) byVariable.set(init.origin.variable, init);
  const trained = request.slots.map((slot) => {
    const init = byVariable.get(slot.variable);
    if (!init) throw new ZlsError(`graph trainer: variable '${slot.variable.name}' is trained but the network's ONNX export does not read it`);
    return { variable: slot.variable, init };
  });
  const images = forward.inputs[0];
  const graph = await buildTrainingGraph({
    forward,
    inputDims: { [images.name]: [...request.batchShape] },
    parameters: trained.map(({ init }, i) => ({ name: init.name, lrMultiplier: request.slots[i].lrMultiplier, weightDecay: request.slots[i].weightDecay })),
    loss: { kind: 'masked-cross-entropy', scores },
    optimizer: request.optimizer,
  });
  const adam = request.optimizer.kind === 'adam' ? { beta1: request.optimizer.beta1, beta2: request.optimizer.beta2 } : undefined;
  const session = await OnnxTrainingSession.create(graph, { threads: request.threads, executionProviders: [...request.executionProviders], adam });
  return new VariableGraphTrainer(session, graph, images.name, trained, forward.initializers, request.optimizer.kind);
}

class VariableGraphTrainer implements GraphTrainer {
  constructor(
    private readonly session: OnnxTrainingSession,
    private readonly graph: TrainingGraph,
    private readonly imagesInput: string,
    private readonly trained: { variable: tf.Variable; init: InitializerSpec }[],
    private readonly initializers: readonly InitializerSpec[],
    private readonly optimizer: 'sgd' | 'adam',
  ) {}

  async step(images: Float32Array, positions: Int32Array, lr: number): Promise<number> {
    const { loss } = await this.session.step({ inputs: { [this.imagesInput]: images }, targets: positions, lr });
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
