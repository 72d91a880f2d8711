import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import { ArrayNotEmpty, IsArray, IsBoolean, IsInt, IsOptional, Min } from 'class-validator';
import { inject, injectable } from 'tsyringe';
import type { OnnxGraphBuilder } from '@zls/backend';
import { TOKENS, type BackboneOutput, type ComponentContext, type OnnxBackboneOutput } from '@zls/core';
import { Conv2d } from '../layers/conv2d';
import { ConvBnRelu } from '../layers/conv-bn-relu';
import { SeedSequence } from '../layers/init';
import { Module } from '../layers/module';
import type { OnnxHead } from '../onnx/exportable';
import { onnxOps } from '../onnx/onnx-ops';

export class DeepLabV3PlusHeadOptions {
  /** Width of the ASPP and decoder (256 in DeepLabv3+ and ZS3Net). */
  @IsInt() @Min(1) channels = 256;
  /** Atrous rates of the three 3×3 branches at output stride 16 (double them at 8). */
  @IsArray() @ArrayNotEmpty() @IsInt({ each: true }) @Min(1, { each: true }) rates: number[] = [6, 12, 18];
  /** Width the low-level (stride-4) features are reduced to before the decoder. */
  @IsInt() @Min(1) lowLevelReduced = 48;
  /** 0: output the decoder's features (ZS3Net's 256-d penultimate layer); else a 1×1 to this embedding size. */
  @IsInt() @Min(0) embeddingDim = 0;
  @IsBoolean() frozenBn = false;
  /** Initialisation seed; unset: the run's seed (TOKENS.RunContext), else 1. */
  @IsOptional() @IsInt() @Min(0) seed?: number;
}

/**
 * DeepLabv3+: ASPP (1×1, three dilated 3×3, image pooling; each +BN+ReLU) → concat → 1×1; upsampled to the
 * low-level features, concatenated with their 1×1 reduction, then two 3×3 convolutions. Needs a backbone
 * with a low-level output.
 */
@injectable()
export class DeepLabV3PlusHead extends Module implements OnnxHead {
  readonly outputChannels: number;
  private branches: ConvBnRelu[] = [];
  private pooling?: ConvBnRelu;
  private fuse?: ConvBnRelu;
  private reduce?: ConvBnRelu;
  private decoder: ConvBnRelu[] = [];
  private project?: Conv2d;

  /** The seed of this head's initialisation: its own option, else the run's. */
  private readonly seed: number;

  constructor(private readonly options: DeepLabV3PlusHeadOptions, @inject(TOKENS.RunContext) context: ComponentContext = {}) {
    super();
    this.outputChannels = options.embeddingDim || options.channels;
    this.seed = options.seed ?? context.seed ?? 1;
    // Built by a registry after the backbone: the weights exist from the start. Built directly: on first apply.
    if (context.inputChannels !== undefined) this.bind(context.inputChannels, context.lowLevelChannels);
  }

  bind(inChannels: number, lowLevelChannels?: number): void {
    if (this.fuse) return;
    if (!lowLevelChannels) throw new Error('deeplabv3plus: the backbone has no low-level output for the decoder');
    const { channels: c, rates, lowLevelReduced, frozenBn } = this.options;
    const seeds = new SeedSequence(this.seed);
    const bn = { frozen: frozenBn };
    const cbr = (name: string, inC: number, outC: number, kernel: number, dilation = 1) =>
      this.child(name, new ConvBnRelu({ inChannels: inC, outChannels: outC, kernel, dilation, seed: seeds.take() }, bn));
    this.branches = [cbr('aspp.b0', inChannels, c, 1), ...rates.map((r, i) => cbr(`aspp.b${i + 1}`, inChannels, c, 3, r))];
    this.pooling = cbr('aspp.pool', inChannels, c, 1);
    this.fuse = cbr('aspp.project', c * (this.branches.length + 1), c, 1);
    this.reduce = cbr('decoder.reduce', lowLevelChannels, lowLevelReduced, 1);
    this.decoder = [cbr('decoder.conv1', c + lowLevelReduced, c, 3), cbr('decoder.conv2', c, c, 3)];
    if (this.options.embeddingDim) this.project = this.child('project', new Conv2d({ inChannels: c, outChannels: this.options.embeddingDim, kernel: 1, seed: seeds.take() }));
  }

  apply(input: BackboneOutput, training: boolean): tf.Tensor4D {
    if (!input.lowLevel) throw new Error('deeplabv3plus: the backbone gave no low-level features');
    this.bind(input.features.shape[3], input.lowLevel.shape[3]);
    const low = input.lowLevel;
    return tf.tidy(() => {
      const x = input.features;
      const [, h, w] = x.shape;
      const pooled = (this.pooling as ConvBnRelu).apply(tf.mean(x, [1, 2], true) as tf.Tensor4D, training);
      const parts = [...this.branches.map((b) => b.apply(x, training)), tf.image.resizeBilinear(pooled, [h, w], false, true)];
      const aspp = (this.fuse as ConvBnRelu).apply(tf.concat(parts, 3) as tf.Tensor4D, training);
      const up = tf.image.resizeBilinear(aspp, [low.shape[1], low.shape[2]], false, true);
      let y = tf.concat([up, (this.reduce as ConvBnRelu).apply(low, training)], 3) as tf.Tensor4D;
      for (const d of this.decoder) y = d.apply(y, training);
      return this.project ? this.project.apply(y) : y;
    });
  }

  toOnnx(g: OnnxGraphBuilder, input: OnnxBackboneOutput): string {
    if (!this.fuse || !input.lowLevel) throw new Error('deeplabv3plus: export needs a bound head and low-level features');
    const x = input.features;
    const pooled = (this.pooling as ConvBnRelu).toOnnx(g, onnxOps.globalAvgPool(g, x));
    const parts = [...this.branches.map((b) => b.toOnnx(g, x)), onnxOps.resizeLike(g, pooled, x)];
    const aspp = this.fuse.toOnnx(g, onnxOps.concatChannels(g, parts));
    const up = onnxOps.resizeLike(g, aspp, input.lowLevel);
    let y = onnxOps.concatChannels(g, [up, (this.reduce as ConvBnRelu).toOnnx(g, input.lowLevel)]);
    for (const d of this.decoder) y = d.toOnnx(g, y);
    return this.project ? this.project.toOnnx(g, y) : y;
  }
}
