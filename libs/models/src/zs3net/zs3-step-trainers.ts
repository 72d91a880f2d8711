import * as tf from '@tensorflow/tfjs';
import { createVariableGraphSession, emitMmdLoss, OnnxGraphBuilder, type VariableGraphSession } from '@zls/backend';
import type { FeatureGenerationContext } from '@zls/core';
import type { LinearScorer } from '../model/scorers';
import { buildRetrainingBatch, classifierLoss } from './classifier-retraining';
import type { FeaturePool } from './feature-pool';
import type { GmmnGenerator } from './gmmn-generator';
import { mmdLoss } from './mmd-loss';

/** One optimisation step at a time by one engine; finish() leaves the trained variables current. */
export interface Zs3StepTrainer {
  readonly engine: 'onnx-graph' | 'tfjs';
  step(): Promise<number>;
  finish(): Promise<void>;
}

export type Zs3GraphOptions = NonNullable<FeatureGenerationContext['graphs']>;

/** Stage 2a: Adam on the generator, loss = mean over seen classes of MMD(generated, real) per class. */
export interface GeneratorTrainingSetup {
  generator: GmmnGenerator;
  pool: FeaturePool;
  seen: readonly number[];
  /** Class embeddings [C, E] in output order. */
  embeddings: tf.Tensor2D;
  pixelsPerClass: number;
  sigmas: readonly number[];
  lr: number;
}

/** Stage 2b: Adam on the re-initialised 1×1 classifier over real seen and generated unseen features. */
export interface ClassifierTrainingSetup {
  scorer: LinearScorer;
  generator: GmmnGenerator;
  pool: FeaturePool;
  seen: readonly number[];
  unseen: readonly number[];
  embeddings: tf.Tensor2D;
  /** Real features per seen class and generated ones per unseen class, each step. */
  pixelsPerClass: number;
  unseenWeight: number;
  lr: number;
}

/**
 * tf.train.adam's defaults, so both engines take the same step: β1 0.9, β2 0.999 and ε the backend's
 * epsilon (what tfjs uses when none is given).
 */
function tfjsAdamSpec(): { kind: 'adam'; beta1: number; beta2: number; epsilon: number } {
  return { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: tf.backend().epsilon() };
}

const slotsOf = (variables: tf.Variable[]) => variables.map((variable) => ({ variable, lrMultiplier: 1, weightDecay: 0 }));

/** Rows of `embeddings` [C, E] repeated `count` times per class, class-major (the generator's condition). */
function conditionRows(embeddings: tf.Tensor2D, classes: readonly number[], count: number): Float32Array {
  const e = embeddings.shape[1];
  const all = embeddings.dataSync() as Float32Array;
  const out = new Float32Array(classes.length * count * e);
  classes.forEach((c, i) => {
    for (let k = 0; k < count; k++) out.set(all.subarray(c * e, (c + 1) * e), (i * count + k) * e);
  });
  return out;
}

/** Copies a tensor's values into `target` from `offset` on, then frees it. */
function take(t: tf.Tensor, target: Float32Array, offset: number): void {
  target.set(t.dataSync() as Float32Array, offset);
  t.dispose();
}

/** tfjs autodiff with Adam over `variables`: one minimize of the subclass's loss per step. */
abstract class TfjsAdamTrainer implements Zs3StepTrainer {
  readonly engine = 'tfjs';
  private readonly optimizer: tf.AdamOptimizer;

  constructor(
    lr: number,
    private readonly variables: tf.Variable[],
  ) {
    this.optimizer = tf.train.adam(lr);
  }

  protected abstract loss(): tf.Scalar;

  async step(): Promise<number> {
    const loss = this.optimizer.minimize(() => tf.tidy(() => this.loss()), true, this.variables) as tf.Scalar;
    const value = loss.dataSync()[0];
    loss.dispose();
    return value;
  }

  async finish(): Promise<void> {
    this.optimizer.dispose();
  }
}

export class TfjsGeneratorTrainer extends TfjsAdamTrainer {
  constructor(private readonly setup: GeneratorTrainingSetup) {
    super(setup.lr, setup.generator.trainableVariables());
  }

  protected loss(): tf.Scalar {
    const { generator, pool, seen, embeddings, pixelsPerClass: p, sigmas } = this.setup;
    const perClass = seen.map((c) => {
      const real = pool.sample(c, p);
      const condition = tf.tile(embeddings.slice([c, 0], [1, -1]), [p, 1]) as tf.Tensor2D;
      const fake = generator.apply(condition, generator.noise(p), true);
      return mmdLoss(fake, real, sigmas);
    });
    return tf.div(tf.addN(perClass), perClass.length) as tf.Scalar;
  }
}

/**
 * The generator step as one onnxruntime graph: every seen class's P rows in one batch through the GMMN, the
 * per-class MMD (mmd-loss-graph.ts) as a scalar loss, gradients by the op rules, the Adam update. Each step
 * draws the same random values in the same order as the tfjs path (per class: real rows from the pool, then
 * noise, then the dropout mask, from the generator's seeded streams), so for one seed both engines see the
 * same data and the same masks.
 */
export class GraphGeneratorTrainer implements Zs3StepTrainer {
  readonly engine = 'onnx-graph';

  private constructor(
    private readonly setup: GeneratorTrainingSetup,
    private readonly session: VariableGraphSession,
  ) {}

  static async create(setup: GeneratorTrainingSetup, graphs: Zs3GraphOptions): Promise<GraphGeneratorTrainer> {
    const { generator, seen, pixelsPerClass: p } = setup;
    const { embeddingDim, noiseDim, featureDim } = generator.options;
    const rows = seen.length * p;
    const g = new OnnxGraphBuilder('zs3-gmmn-mmd');
    g.addInput('noise', [rows, noiseDim]).addInput('real', [rows, featureDim]);
    // The seen classes and P are fixed for the stage, so the condition rows are a constant of the graph.
    g.addInitializer('condition', conditionRows(setup.embeddings, seen, p), [rows, embeddingDim]);
    const fake = generator.toOnnx(g, 'condition', 'noise');
    const loss = emitMmdLoss(g, fake, 'real', { groups: seen.length, n: p, m: p, dim: featureDim }, setup.sigmas);
    g.addOutput(loss, []);
    const session = await createVariableGraphSession({
      forward: g.ir(),
      inputDims: { noise: [rows, noiseDim], real: [rows, featureDim] },
      loss: { kind: 'scalar', value: loss },
      slots: slotsOf(generator.trainableVariables()),
      optimizer: tfjsAdamSpec(),
      executionProviders: graphs.executionProviders,
      threads: graphs.threads,
    });
    return new GraphGeneratorTrainer(setup, session);
  }

  async step(): Promise<number> {
    const { generator, pool, seen, pixelsPerClass: p } = this.setup;
    const { noiseDim, featureDim, hiddenDim } = generator.options;
    const rows = seen.length * p;
    const real = new Float32Array(rows * featureDim);
    const noise = new Float32Array(rows * noiseDim);
    const [maskInput] = this.session.graph.dropoutMasks;
    const mask = maskInput ? new Float32Array(rows * hiddenDim) : undefined;
    seen.forEach((c, i) => {
      take(pool.sample(c, p), real, i * p * featureDim);
      take(generator.noise(p), noise, i * p * noiseDim);
      if (mask) take(generator.dropoutMask(p), mask, i * p * hiddenDim);
    });
    const inputs: Record<string, Float32Array> = { noise, real };
    if (maskInput && mask) inputs[maskInput.input] = mask;
    return this.session.step(inputs, undefined, this.setup.lr);
  }

  async finish(): Promise<void> {
    this.session.writeBack();
    await this.session.dispose();
  }
}

export class TfjsClassifierTrainer extends TfjsAdamTrainer {
  private readonly seenLabels: Int32Array;

  constructor(private readonly setup: ClassifierTrainingSetup) {
    super(setup.lr, setup.scorer.trainableVariables());
    this.seenLabels = Int32Array.from(setup.seen.flatMap((c) => Array.from({ length: setup.pixelsPerClass }, () => c)));
  }

  protected loss(): tf.Scalar {
    const { scorer, generator, pool, seen, unseen, embeddings, pixelsPerClass: p, unseenWeight } = this.setup;
    const real = tf.concat(seen.map((c) => pool.sample(c, p))) as tf.Tensor2D;
    const batch = buildRetrainingBatch(generator, real, this.seenLabels, { unseenClasses: unseen, classEmbeddings: embeddings, generatedPerClass: p });
    return classifierLoss(scorer, batch, unseen, unseenWeight);
  }
}

/**
 * The 1×1 classifier on feature rows [B, D] as ONNX: one MatMul with the HWIO filter [1, 1, D, K] read as
 * [D, K] (the same values, so the initializer names its variable with the `same` layout), plus the bias.
 */
export function emitRowScores(g: OnnxGraphBuilder, scorer: LinearScorer, features: string): string {
  const { weight, bias } = scorer.conv;
  const [, , d, k] = weight.shape;
  const w = scorer.conv.paramPath('weight');
  g.addInitializer(w, weight.dataSync() as Float32Array, [d, k], 'float', { variable: weight, layout: 'same' });
  const scores = g.op('MatMul', [features, w]);
  if (!bias) return scores;
  const b = scorer.conv.paramPath('bias');
  g.addInitializer(b, bias.dataSync() as Float32Array, [k], 'float', { variable: bias, layout: 'same' });
  return g.op('Add', [scores, b]);
}

/**
 * The retraining step as one onnxruntime graph: the frozen generator (its weights constants, its dropout the
 * identity) turns fed noise into unseen features inside the graph, they are stacked under the fed real
 * features, scored by the classifier and trained with the class-weighted cross-entropy. Random values are
 * drawn as the tfjs path draws them (real rows per seen class, then one noise block).
 */
export class GraphClassifierTrainer implements Zs3StepTrainer {
  readonly engine = 'onnx-graph';

  private constructor(
    private readonly setup: ClassifierTrainingSetup,
    private readonly session: VariableGraphSession,
    private readonly labels: Int32Array,
  ) {}

  static async create(setup: ClassifierTrainingSetup, graphs: Zs3GraphOptions): Promise<GraphClassifierTrainer> {
    const { scorer, generator, seen, unseen, pixelsPerClass: p } = setup;
    const { embeddingDim, noiseDim } = generator.options;
    const d = scorer.inChannels;
    const realRows = seen.length * p;
    const fakeRows = unseen.length * p;
    const g = new OnnxGraphBuilder('zs3-classifier-retraining');
    g.addInput('real', [realRows, d]);
    const inputDims: Record<string, number[]> = { real: [realRows, d] };
    let features = 'real';
    if (fakeRows > 0) {
      g.addInput('noise', [fakeRows, noiseDim]);
      inputDims['noise'] = [fakeRows, noiseDim];
      g.addInitializer('condition', conditionRows(setup.embeddings, unseen, p), [fakeRows, embeddingDim]);
      features = g.op('Concat', ['real', generator.toOnnx(g, 'condition', 'noise')], { axis: 0 });
    }
    const scores = emitRowScores(g, scorer, features);
    g.addOutput(scores, [realRows + fakeRows, scorer.numClasses]);
    const classWeights = Array.from({ length: scorer.numClasses }, (_, c) => (unseen.includes(c) ? setup.unseenWeight : 1));
    const session = await createVariableGraphSession({
      forward: g.ir(),
      inputDims,
      loss: { kind: 'class-weighted-cross-entropy', scores, classWeights },
      slots: slotsOf(scorer.trainableVariables()),
      optimizer: tfjsAdamSpec(),
      executionProviders: graphs.executionProviders,
      threads: graphs.threads,
    });
    // Scores cover every class in output order, so a label is its own score position; fixed for the stage.
    const labels = Int32Array.from([...seen, ...unseen].flatMap((c) => Array.from({ length: p }, () => c)));
    return new GraphClassifierTrainer(setup, session, labels);
  }

  async step(): Promise<number> {
    const { generator, pool, seen, unseen, pixelsPerClass: p } = this.setup;
    const d = this.setup.scorer.inChannels;
    const real = new Float32Array(seen.length * p * d);
    seen.forEach((c, i) => take(pool.sample(c, p), real, i * p * d));
    const inputs: Record<string, Float32Array> = { real };
    if (unseen.length > 0) {
      const noise = new Float32Array(unseen.length * p * generator.options.noiseDim);
      take(generator.noise(unseen.length * p), noise, 0);
      inputs['noise'] = noise;
    }
    return this.session.step(inputs, this.labels, this.setup.lr);
  }

  async finish(): Promise<void> {
    this.session.writeBack();
    await this.session.dispose();
  }
}

/** The graph trainers where the training graphs are on (context.graphs), tfjs autodiff otherwise. */
export async function generatorTrainer(setup: GeneratorTrainingSetup, graphs?: Zs3GraphOptions): Promise<Zs3StepTrainer> {
  return graphs ? GraphGeneratorTrainer.create(setup, graphs) : new TfjsGeneratorTrainer(setup);
}

export async function classifierTrainer(setup: ClassifierTrainingSetup, graphs?: Zs3GraphOptions): Promise<Zs3StepTrainer> {
  return graphs ? GraphClassifierTrainer.create(setup, graphs) : new TfjsClassifierTrainer(setup);
}
