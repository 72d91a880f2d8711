import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import { ArrayNotEmpty, IsArray, IsInt, IsNumber, Min } from 'class-validator';
import { injectable } from 'tsyringe';
import type { OnnxGraphBuilder } from '@zls/backend';
import type { BackboneOutput } from '@zls/core';
import { Conv2d } from '../layers/conv2d';
import { SeedSequence } from '../layers/init';
import { Module } from '../layers/module';
import type { BindableHead, OnnxBackboneOutput, OnnxHead } from '../onnx/exportable';

export class AsppV2ProjectionHeadOptions {
  /** D: 600 for fastText ⊕ word2vec. */
  @IsInt() @Min(1) embeddingDim = 600;
  @IsArray() @ArrayNotEmpty() @IsInt({ each: true }) @Min(1, { each: true }) rates: number[] = [6, 12, 18, 24];
  /** Standard deviation of the N(0, σ) weight initialisation (biases start at 0). */
  @IsNumber() @Min(0) initStd = 0.01;
  @IsInt() @Min(0) seed = 1;
}

/**
 * SPNet's projection: the SUM of four 3×3 convolutions (dilation = padding = rate, each with a bias) from
 * the backbone width straight to the embedding size D.
 */
@injectable()
export class AsppV2ProjectionHead extends Module implements OnnxHead, BindableHead {
  readonly outputChannels: number;
  private branches: Conv2d[] = [];

  constructor(private readonly options: AsppV2ProjectionHeadOptions) {
    super();
    this.outputChannels = options.embeddingDim;
  }

  bind(inChannels: number): void {
    if (this.branches.length) {
      if (this.branches[0].options.inChannels !== inChannels) throw new Error(`aspp-v2-projection: bound to ${this.branches[0].options.inChannels} input channels, got ${inChannels}`);
      return;
    }
    const seeds = new SeedSequence(this.options.seed);
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
