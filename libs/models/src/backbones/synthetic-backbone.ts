import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { inject, injectable } from 'tsyringe';
import type { OnnxGraphBuilder } from '@zls/backend';
import { TOKENS, type Backbone, type BackboneOutput, type ComponentContext, type OnnxBackboneOutput } from '@zls/core';
import { ConvBnRelu } from '../layers/conv-bn-relu';
import { SeedSequence } from '../layers/init';
import { Module } from '../layers/module';

export class SyntheticBackboneOptions {
  /** w: the four convolutions have w, w, 2w, 2w channels. */
  @IsInt() @Min(1) @Max(1024) width = 32;
  @IsBoolean() frozenBn = false;
  /** Initialisation seed; unset: the run's seed (TOKENS.RunContext), else 0. */
  @IsOptional() @IsInt() @Min(0) seed?: number;
}

/**
 * The small fast backbone of the synthetic benchmark: conv3×3 s2 (3→w) · conv3×3 (w→w) · conv3×3 s2 (w→2w)
 * · conv3×3 (2w→2w), each with BN and ReLU; output stride 4. Its low-level output is the stride-2 stage.
 */
@injectable()
export class SyntheticBackbone extends Module implements Backbone {
  readonly outputStride = 4;
  readonly outputChannels: number;
  readonly lowLevelChannels: number;
  private readonly stages: ConvBnRelu[];

  constructor(options: SyntheticBackboneOptions, @inject(TOKENS.RunContext) context: ComponentContext = {}) {
    super();
    const w = options.width;
    const seeds = new SeedSequence(options.seed ?? context.seed ?? 0);
    const spec: [number, number, number][] = [
      [3, w, 2],
      [w, w, 1],
      [w, 2 * w, 2],
      [2 * w, 2 * w, 1],
    ];
    this.stages = spec.map(([inChannels, outChannels, stride], i) =>
      this.child(`conv${i + 1}`, new ConvBnRelu({ inChannels, outChannels, kernel: 3, stride, seed: seeds.take() }, { frozen: options.frozenBn })),
    );
    this.outputChannels = 2 * w;
    this.lowLevelChannels = w;
  }

  apply(input: tf.Tensor4D, training: boolean): BackboneOutput {
    // Both outputs leave one tidy, so an enclosing tidy still owns (and frees) the one a head ignores.
    return tf.tidy(() => {
      const lowLevel = this.stages[1].apply(this.stages[0].apply(input, training), training);
      return { features: this.stages[3].apply(this.stages[2].apply(lowLevel, training), training), lowLevel };
    });
  }

  toOnnx(g: OnnxGraphBuilder, input: string): OnnxBackboneOutput {
    const lowLevel = this.stages[1].toOnnx(g, this.stages[0].toOnnx(g, input));
    return { features: this.stages[3].toOnnx(g, this.stages[2].toOnnx(g, lowLevel)), lowLevel };
  }
}
