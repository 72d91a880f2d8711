import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import type { OnnxGraphBuilder } from '@zls/backend';
import { ArrayNotEmpty, IsArray, IsBoolean, IsInt, IsNumber, Max, Min } from 'class-validator';
import { inject, injectable } from 'tsyringe';
import { normalValues } from '../layers/init';
import { Module } from '../layers/module';
import { ZS3_MMD_SIGMAS } from './mmd-loss';

/** The `gmmn` generator as configured (registries.of('generator')): network sizes and ZS3Net's stage-2 settings. */
export class GmmnGeneratorOptions {
  @IsInt() @Min(1) embeddingDim = 300;
  @IsInt() @Min(1) noiseDim = 300;
  @IsInt() @Min(1) hiddenDim = 256;
  @IsInt() @Min(1) featureDim = 256;
  @IsNumber() @Min(0) leakySlope = 0.2;
  @IsNumber() @Min(0) @Max(0.99) dropout = 0.5;
  /** Gaussian kernel bandwidths of the MMD loss. */
  @IsArray() @ArrayNotEmpty() @IsNumber({}, { each: true }) sigmas: number[] = [...ZS3_MMD_SIGMAS];
  /** Real pixels sampled per seen class for each generator step. */
  @IsInt() @Min(1) pixelsPerClass = 128;
  /** Cross-entropy weight of unseen classes when the classifier is retrained. */
  @IsNumber() @Min(0) unseenWeight = 100;
  /**
   * ZS3Net places generated features on the pixels its ground truth marks as unseen, i.e. it uses unseen
   * masks during training (the objection raised in its issue tracker). Off by default; see
   * buildRetrainingBatch for what changes.
   */
  @IsBoolean() useUnseenGroundTruthMasks = false;
  @IsInt() @Min(0) seed = 0;
  /** Adam steps of the generator (MMD per seen class) and its learning rate (ZS3Net: 2e-4). */
  @IsInt() @Min(1) generatorIterations = 300;
  @IsNumber() @Min(0) generatorLr = 2e-4;
  /** Adam steps retraining the final 1×1 classifier (unless classifierEpochs is set), and its learning rate. */
  @IsInt() @Min(1) classifierIterations = 300;
  /**
   * ZS3Net's schedule for the retraining (30 epochs at batch 8 on VOC, 20 on Context): when above 0, the
   * classifier takes ceil(classifierEpochs × training images / classifierBatchImages) steps instead of
   * classifierIterations, the images counted in the pass that pools the features. Each step still trains on
   * pixelsPerClass real or generated features per class, not on 8 images' pixels.
   */
  @IsNumber() @Min(0) classifierEpochs = 0;
  @IsInt() @Min(1) classifierBatchImages = 8;
  @IsNumber() @Min(0) classifierLr = 1e-3;
  /** Real pixel features kept per seen class (a uniform reservoir sample over the training set). */
  @IsInt() @Min(1) poolPerClass = 2048;
}

export interface GmmnOptions {
  /** Word-embedding size (300 for word2vec). */
  embeddingDim: number;
  /** Noise size (300 in ZS3Net), drawn uniformly from [0, 1). */
  noiseDim: number;
  hiddenDim: number;
  /** Size of the generated feature: the segmentation network's penultimate width (256). */
  featureDim: number;
  leakySlope?: number;
  dropout?: number;
  seed?: number;
}

/**
 * ZS3Net's generative moment-matching network: [word embedding ⊕ noise] → linear → LeakyReLU(0.2) →
 * dropout(0.5, training only) → linear → a fake pixel feature of the class.
 */
@injectable()
export class GmmnGenerator extends Module {
  readonly fc1Weight: tf.Variable;
  readonly fc1Bias: tf.Variable;
  readonly fc2Weight: tf.Variable;
  readonly fc2Bias: tf.Variable;
  readonly slope: number;
  readonly dropout: number;
  private noiseSeed: number;

  constructor(@inject(GmmnGeneratorOptions) readonly options: GmmnOptions | GmmnGeneratorOptions) {
    super();
    const { embeddingDim, noiseDim, hiddenDim, featureDim } = options;
    const seed = options.seed ?? 0;
    const inDim = embeddingDim + noiseDim;
    // Linear layers stored [in, out] so that x · W is one matMul; He-style scale for the leaky ReLU.
    this.fc1Weight = this.param('fc1.weight', tf.tensor2d(normalValues(inDim * hiddenDim, Math.sqrt(2 / inDim), seed + 1), [inDim, hiddenDim]));
    this.fc1Bias = this.param('fc1.bias', tf.zeros([hiddenDim]));
    this.fc2Weight = this.param('fc2.weight', tf.tensor2d(normalValues(hiddenDim * featureDim, Math.sqrt(1 / hiddenDim), seed + 2), [hiddenDim, featureDim]));
    this.fc2Bias = this.param('fc2.bias', tf.zeros([featureDim]));
    this.slope = options.leakySlope ?? 0.2;
    this.dropout = options.dropout ?? 0.5;
    this.noiseSeed = seed * 7919 + 3;
  }

  /** Features [B, featureDim] for class embeddings [B, embeddingDim] and noise [B, noiseDim]; dropout in training. */
  apply(embeddings: tf.Tensor2D, noise: tf.Tensor2D, training: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      const input = tf.concat([embeddings, noise], 1);
      let h = tf.leakyRelu(tf.add(tf.matMul(input, this.fc1Weight as tf.Tensor2D), this.fc1Bias), this.slope);
      if (training && this.dropout > 0) h = tf.mul(h, this.dropoutMask(h.shape[0]));
      return tf.add(tf.matMul(h, this.fc2Weight as tf.Tensor2D), this.fc2Bias) as tf.Tensor2D;
    });
  }

  /**
   * A dropout keep mask for `rows` hidden rows, 0 or 1/(1 − dropout), from the generator's seeded stream: the
   * values tf.dropout draws for the same seed (the same formula), so the tfjs path is unchanged, and the
   * training graph, which takes its mask as an input, is fed exactly what the tfjs path multiplies by.
   */
  dropoutMask(rows: number): tf.Tensor2D {
    const keep = 1 - this.dropout;
    return tf.tidy(() => tf.div(tf.floor(tf.add(tf.randomUniform([rows, this.options.hiddenDim], 0, 1, 'float32', this.nextSeed()), keep)), keep) as tf.Tensor2D);
  }

  /**
   * The network as ONNX ops on [B, embeddingDim] and [B, noiseDim] values; returns the features [B, featureDim].
   * Weights are initializers that name their variables, so a training graph can train them; the Dropout node
   * is the identity in inference and becomes a fed mask in a training graph that trains the generator.
   */
  toOnnx(g: OnnxGraphBuilder, embeddings: string, noise: string): string {
    const param = (name: string, v: tf.Variable) => {
      const path = this.paramPath(name);
      g.addInitializer(path, v.dataSync() as Float32Array, [...v.shape], 'float', { variable: v, layout: 'same' });
      return path;
    };
    const input = g.op('Concat', [embeddings, noise], { axis: 1 });
    const pre = g.op('Add', [g.op('MatMul', [input, param('fc1.weight', this.fc1Weight)]), param('fc1.bias', this.fc1Bias)]);
    let h = g.op('LeakyRelu', [pre], { alpha: { float: this.slope } });
    if (this.dropout > 0) {
      const ratio = g.temp('dropout_ratio');
      g.addInitializer(ratio, Float32Array.of(this.dropout), []);
      h = g.op('Dropout', [h, ratio]);
    }
    return g.op('Add', [g.op('MatMul', [h, param('fc2.weight', this.fc2Weight)]), param('fc2.bias', this.fc2Bias)]);
  }

  /** Uniform [0, 1) noise for `count` samples, from the generator's own seeded stream. */
  noise(count: number): tf.Tensor2D {
    return tf.randomUniform([count, this.options.noiseDim], 0, 1, 'float32', this.nextSeed()) as tf.Tensor2D;
  }

  /** `count` generated features of each listed class (rows of `classEmbeddings` [C, E]); labels say which. */
  generate(classEmbeddings: tf.Tensor2D, classes: readonly number[], count: number, training = false): { features: tf.Tensor2D; labels: number[] } {
    const labels = classes.flatMap((c) => Array.from({ length: count }, () => c));
    const features = tf.tidy(() => this.apply(tf.gather(classEmbeddings, labels), this.noise(labels.length), training));
    return { features, labels };
  }

  private nextSeed(): number {
    this.noiseSeed = (Math.imul(this.noiseSeed, 1664525) + 1013904223) >>> 0;
    return this.noiseSeed;
  }
}
