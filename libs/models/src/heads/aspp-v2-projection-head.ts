import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import { ArrayNotEmpty, IsArray, IsInt, IsNumber, IsOptional, Min } from 'class-validator';
import { inject, injectable } from 'tsyringe';
import type { OnnxGraphBuilder } from '@zls/backend';
import { TOKENS, type BackboneOutput, type ComponentContext, type OnnxBackboneOutput } from '@zls/core';
import { Conv2d } from '../layers/conv2d';
import { SeedSequence } from '../layers/init';
import { Module } from '../layers/module';
import type { OnnxHead } from '../onnx/exportable';

export class AsppV2ProjectionHeadOptions {
  /** D: 600 for fastText ⊕ word2vec. */
  @IsInt() @Min(1) embeddingDim = 600;
  @IsArray() @ArrayNotEmpty() @IsInt({ each: true }) @Min(1, { each: true }) rates: number[] = [6, 12, 18, 24];
  /** Standard deviation of the N(0, σ) weight initialisation (biases start at 0). */
  @IsNumber() @Min(0) initStd = 0.01;
  /** Initialisation seed; unset: the run's seed (TOKENS.RunContext), else 1. */
  @IsOptional() @IsInt() @Min(0) seed?: number;
}

/**
 * SPNet's projection: the SUM of four 3×3 convolutions (dilation = padding = rate, each with a bias) from
 * the backbone width straight to the embedding size D.
 */
@injectable()
export class AsppV2ProjectionHead extends Module implements OnnxHead {
  readonly outputChannels: number;
  private branches: Conv2d[] = [];

  /** The seed of this head's initialisation: its own option, else the run's. */
  private readonly seed: number;

  constructor(private readonly options: AsppV2ProjectionHeadOptions, @inject(TOKENS.RunContext) context: ComponentContext = {}) {
    super();
    this.outputChannels = options.embeddingDim;
    this.seed = options.seed ?? context.seed ?? 1;
    // Built by a registry after the backbone: the weights exist from the start. Built directly: on first apply.
    if (context.inputChannels !== undefined) this.bind(context.inputChannels);
  }

  bind(inChannels: number): void {
    if (this.branches.length) {
      if (this.branches[0].options.inChannels !== inChannels) throw new Error(`aspp-v2-projection: bound to ${this.branches[0].options.inChannels} input channels, got ${inChannels}`);
      return;
    }
    const seeds = new SeedSequence(this.seed);
    this.branches = this.options.rates.map((rate, i) =>
      this.child(
        `stages.c${i}`,
        new Conv2d({ inChannels, outChannels: this.options.embeddingDim, kernel: 3, dilation: rate, init: { kind: 'normal', std: this.options.initStd }, seed: seeds.take() }),
      ),
    );
  }

  apply(input: BackboneOutput, training: boolean): tf.Tensor4D {
    void training;
    this.bind(input.features.shape[3]);
    return tf.tidy(() => tf.addN(this.branches.map((b) => b.apply(input.features))) as tf.Tensor4D);
  }

  toOnnx(g: OnnxGraphBuilder, input: OnnxBackboneOutput): string {
    if (!this.branches.length) throw new Error('aspp-v2-projection: export before the head saw its input width');
    const outs = this.branches.map((b) => b.toOnnx(g, input.features));
    return outs.length === 1 ? outs[0] : g.op('Sum', outs);
  }
}
