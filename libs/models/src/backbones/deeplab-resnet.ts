import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { inject, injectable } from 'tsyringe';
import type { OnnxGraphBuilder } from '@zls/backend';
import { TOKENS, type Backbone, type BackboneOutput, type ComponentContext, type OnnxBackboneOutput } from '@zls/core';
import { BatchNorm2d } from '../layers/batch-norm';
import { Conv2d } from '../layers/conv2d';
import { SeedSequence } from '../layers/init';
import { Module } from '../layers/module';
import { MaxPool2d, poolGeometry } from '../layers/pooling';
import { Sequential } from '../layers/sequential';
import { BasicBlock, Bottleneck, type BlockSpec } from './resnet-blocks';
import { loadTorchvisionResnetWeights } from './torchvision-weights';

export const RESNET_LAYOUTS: Record<number, { block: 'basic' | 'bottleneck'; blocks: [number, number, number, number] }> = {
  18: { block: 'basic', blocks: [2, 2, 2, 2] },
  34: { block: 'basic', blocks: [3, 4, 6, 3] },
  50: { block: 'bottleneck', blocks: [3, 4, 6, 3] },
  101: { block: 'bottleneck', blocks: [3, 4, 23, 3] },
};

export class DeepLabResNetOptions {
  @IsIn([18, 34, 50, 101]) depth: 18 | 34 | 50 | 101 = 101;
  /** 8: stages 4 and 5 dilated 2 and 4 (DeepLab-v2); 16: stage 5 dilated 2 (DeepLabv3+); 32: plain ResNet. */
  @IsIn([8, 16, 32]) outputStride: 8 | 16 | 32 = 8;
  /** Caffe (MSRA) style: stride in the bottleneck's first 1×1 and a ceil-mode stem max-pool, as DeepLab-v2. */
  @IsBoolean() caffeStem = true;
  /** DeepLab-v2 keeps batch norm in eval mode and out of the optimizer. */
  @IsBoolean() frozenBn = true;
  /** Stem width (64 in every published ResNet; smaller only for tests and experiments). */
  @IsInt() @Min(1) @Max(256) baseWidth = 64;
  /** Optional torchvision-named weights (a PyTorch .pth or a .safetensors file, e.g. ImageNet) loaded at construction. */
  @IsOptional() @IsString() weights?: string;
  /**
   * The protocol starts from pretrained weights (every real-benchmark config): a run without `weights` is refused
   * unless it sets `allowRandomInit` (`--allow-random-init`).
   */
  @IsBoolean() requireWeights = false;
  /** Initialisation seed; unset: the run's seed (TOKENS.RunContext), else 0. */
  @IsOptional() @IsInt() @Min(0) seed?: number;
}

/** Feature map size of a DeepLab ResNet for an input size (the Caffe stem's ceil-mode pool adds a row at even sizes). */
export function deeplabResnetFeatureSize(size: number, options: Pick<DeepLabResNetOptions, 'outputStride' | 'caffeStem'>): number {
  const conv = (s: number) => Math.floor((s - 1) / 2) + 1; // 7×7/2 pad 3, 3×3/2 pad 1 and 1×1/2 pad 0 all give this
  let s = poolGeometry(conv(size), 3, 2, 1, options.caffeStem).out;
  for (let stride = 4; stride < options.outputStride; stride *= 2) s = conv(s);
  return s;
}

/**
 * DeepLab's dilated ResNet with torchvision parameter names (conv1, bn1, layer1.0.conv1, …, downsample.0/1).
 * Features come from layer4; the low-level output (DeepLabv3+'s decoder) is layer1 at stride 4.
 */
@injectable()
export class DeepLabResNet extends Module implements Backbone {
  readonly outputStride: number;
  readonly outputChannels: number;
  readonly lowLevelChannels: number;
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm2d;
  private readonly pool: MaxPool2d;
  private readonly layers: Sequential[];
  /** No weights were loaded: frozen batch norms still hold the identity statistics (mean 0, variance 1). */
  private untrainedStatistics: boolean;

  constructor(readonly options: DeepLabResNetOptions, @inject(TOKENS.RunContext) context: ComponentContext = {}) {
    super();
    const layout = RESNET_LAYOUTS[options.depth];
    const seeds = new SeedSequence(options.seed ?? context.seed ?? 0);
    const seed = () => seeds.take();
    const base = options.baseWidth;
    const frozen = options.frozenBn;
    this.conv1 = this.child('conv1', new Conv2d({ inChannels: 3, outChannels: base, kernel: 7, stride: 2, padding: 3, bias: false, seed: seed() }));
    this.bn1 = this.child('bn1', new BatchNorm2d(base, { frozen }));
    this.pool = new MaxPool2d(3, 2, 1, options.caffeStem);
    const dilations = { 8: [1, 1, 2, 4], 16: [1, 1, 1, 2], 32: [1, 1, 1, 1] }[options.outputStride];
    const Block = layout.block === 'basic' ? BasicBlock : Bottleneck;
    let inChannels = base;
    this.layers = layout.blocks.map((count, stage) => {
      const planes = base * 2 ** stage;
      const dilation = dilations[stage];
      // A dilated stage keeps the resolution: its first block does not stride.
      const stride = stage === 0 || dilation > 1 ? 1 : 2;
      const blocks = Array.from({ length: count }, (_, i) => {
        const spec: BlockSpec = { inChannels, planes, stride: i === 0 ? stride : 1, dilation, strideInFirst1x1: options.caffeStem, frozenBn: frozen, seed };
        inChannels = planes * Block.expansion;
        return new Block(spec);
      });
      return this.child(`layer${stage + 1}`, new Sequential(blocks));
    });
    this.outputStride = options.outputStride;
    this.outputChannels = inChannels;
    this.lowLevelChannels = base * Block.expansion;
    if (options.weights) loadTorchvisionResnetWeights(this, options.weights);
    this.untrainedStatistics = !options.weights && frozen;
  }

  /**
   * Without pretrained weights (`--allow-random-init`), frozen batch norm would pass the Caffe-scaled input
   * through 100 layers unnormalised (SPNet's loss started in the thousands and diverged). Once, before the first
   * step, each batch norm takes its statistics from these images instead, layer after layer. False when the
   * statistics were loaded or already estimated.
   */
  initialiseUntrainedStatistics(images: tf.Tensor4D): boolean {
    if (!this.untrainedStatistics) return false;
    this.untrainedStatistics = false;
    for (const m of this.modules()) if (m instanceof BatchNorm2d) m.estimateStatisticsOnNextApply();
    tf.tidy(() => {
      this.apply(images, false);
    });
    return true;
  }

  apply(input: tf.Tensor4D, training: boolean): BackboneOutput {
    // Both outputs leave one tidy, so an enclosing tidy still owns (and frees) the one a head ignores.
    return tf.tidy(() => {
      let x = this.pool.apply(this.bn1.apply(this.conv1.apply(input), training, true));
      let lowLevel = x;
      this.layers.forEach((layer, i) => {
        x = layer.apply(x, training);
        if (i === 0) lowLevel = x;
      });
      return { features: x, lowLevel };
    });
  }

  toOnnx(g: OnnxGraphBuilder, input: string): OnnxBackboneOutput {
    let x = this.pool.toOnnx(g, g.op('Relu', [this.bn1.toOnnx(g, this.conv1.toOnnx(g, input))]));
    let lowLevel = '';
    this.layers.forEach((layer, i) => {
      x = layer.toOnnx(g, x);
      if (i === 0) lowLevel = x;
    });
    return { features: x, lowLevel };
  }
}
