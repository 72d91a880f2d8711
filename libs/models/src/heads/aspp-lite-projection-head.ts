import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import { ArrayNotEmpty, IsArray, IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { inject, injectable } from 'tsyringe';
import type { OnnxGraphBuilder } from '@zls/backend';
import { TOKENS, type BackboneOutput, type ComponentContext, type OnnxBackboneOutput } from '@zls/core';
import { Conv2d } from '../layers/conv2d';
import { ConvBnRelu } from '../layers/conv-bn-relu';
import { SeedSequence } from '../layers/init';
import { Module } from '../layers/module';
import type { OnnxHead } from '../onnx/exportable';

export class AsppLiteProjectionHeadOptions {
  /** Size of the pixel embedding: must equal the class embeddings' dimension. */
  @IsInt() @Min(1) embeddingDim = 300;
  /** Dilations of the parallel 3×3 branches (each keeps the input width). */
  @IsArray() @ArrayNotEmpty() @IsInt({ each: true }) @Min(1, { each: true }) dilations: number[] = [1, 2, 4];
  /** Width after the 1×1 fusion, as a multiple of the input width (6w → 4w for input 2w: 2). */
  @IsInt() @Min(1) @Max(16) fuseMultiplier = 2;
  @IsBoolean() frozenBn = false;
  /** Initialisation seed; unset: the run's seed (TOKENS.RunContext), else 1. */
  @IsOptional() @IsInt() @Min(0) seed?: number;
}

/**
 * The synthetic benchmark's head: parallel dilated 3×3 branches (+BN+ReLU) concatenated, a 1×1 fusion
 * (+BN+ReLU), then a 1×1 to the embedding size. Layers are created once the backbone's width is known.
 */
@injectable()
export class AsppLiteProjectionHead extends Module implements OnnxHead {
  readonly outputChannels: number;
  private branches: ConvBnRelu[] = [];
  private fuse?: ConvBnRelu;
  private project?: Conv2d;

  /** The seed of this head's initialisation: its own option, else the run's. */
  private readonly seed: number;

  constructor(private readonly options: AsppLiteProjectionHeadOptions, @inject(TOKENS.RunContext) context: ComponentContext = {}) {
    super();
    this.outputChannels = options.embeddingDim;
    this.seed = options.seed ?? context.seed ?? 1;
    // Built by a registry after the backbone: the weights exist from the start. Built directly: on first apply.
    if (context.inputChannels !== undefined) this.bind(context.inputChannels);
  }

  bind(inChannels: number): void {
    if (this.project) {
      if (this.branches[0].conv.options.inChannels !== inChannels) throw new Error(`aspp-lite-projection: bound to ${this.branches[0].conv.options.inChannels} input channels, got ${inChannels}`);
      return;
    }
    const seeds = new SeedSequence(this.seed);
    const bn = { frozen: this.options.frozenBn };
    this.branches = this.options.dilations.map((dilation, i) =>
      this.child(`branch${i}`, new ConvBnRelu({ inChannels, outChannels: inChannels, kernel: 3, dilation, seed: seeds.take() }, bn)),
    );
    const fused = inChannels * this.options.fuseMultiplier;
    this.fuse = this.child('fuse', new ConvBnRelu({ inChannels: inChannels * this.branches.length, outChannels: fused, kernel: 1, seed: seeds.take() }, bn));
    this.project = this.child('project', new Conv2d({ inChannels: fused, outChannels: this.options.embeddingDim, kernel: 1, seed: seeds.take() }));
  }

  apply(input: BackboneOutput, training: boolean): tf.Tensor4D {
    this.bind(input.features.shape[3]);
    return tf.tidy(() => {
      const x = input.features;
      const cat = tf.concat(this.branches.map((b) => b.apply(x, training)), 3) as tf.Tensor4D;
      return (this.project as Conv2d).apply((this.fuse as ConvBnRelu).apply(cat, training));
    });
  }

  toOnnx(g: OnnxGraphBuilder, input: OnnxBackboneOutput): string {
    if (!this.project) throw new Error('aspp-lite-projection: export before the head saw its input width');
    const cat = g.op('Concat', this.branches.map((b) => b.toOnnx(g, input.features)), { axis: 1 });
    return this.project.toOnnx(g, (this.fuse as ConvBnRelu).toOnnx(g, cat));
  }
}
