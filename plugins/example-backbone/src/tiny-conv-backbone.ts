import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { inject, injectable } from 'tsyringe';
import type { OnnxGraphBuilder } from '@zls/backend';
import { TOKENS, type Backbone, type BackboneOutput, type ComponentContext } from '@zls/core';

export class TinyConvBackboneOptions {
  /** Channels of the first stage; the second stage has twice as many. */
  @IsInt() @Min(1) @Max(512) width = 16;
  /** Each stride-2 stage halves the resolution: 2 stages → 4, 3 stages → 8. */
  @IsIn([4, 8]) outputStride: 4 | 8 = 4;
  /** Initialisation seed; unset: the run's seed, which the registry injects as TOKENS.RunContext. */
  @IsOptional() @IsInt() @Min(0) seed?: number;
}

/**
 * A deliberately small backbone (3×3 stride-2 convolutions with ReLU), the way a third party would write one:
 * it depends only on @zls/core's Backbone interface and tfjs.
 */
@injectable()
export class TinyConvBackbone implements Backbone {
  readonly outputStride: number;
  readonly outputChannels: number;
  private readonly kernels: tf.Variable[] = [];
  private readonly biases: tf.Variable[] = [];

  constructor(options: TinyConvBackboneOptions, @inject(TOKENS.RunContext) context: ComponentContext = {}) {
    this.outputStride = options.outputStride;
    const seed = options.seed ?? context.seed ?? 0;
    const stages = Math.log2(options.outputStride);
    let inChannels = 3;
    for (let s = 0; s < stages; s++) {
      const out = options.width * 2 ** s;
      // He initialisation keeps activations from shrinking through the ReLUs.
      const std = Math.sqrt(2 / (9 * inChannels));
      this.kernels.push(tf.variable(tf.randomNormal([3, 3, inChannels, out], 0, std, 'float32', seed + s), true));
      this.biases.push(tf.variable(tf.zeros([out]), true));
      inChannels = out;
    }
    this.outputChannels = inChannels;
  }

  apply(input: tf.Tensor4D, _training: boolean): BackboneOutput {
    const features = tf.tidy(() => {
      let x = input;
      for (let s = 0; s < this.kernels.length; s++) {
        x = tf.relu(tf.add(tf.conv2d(x, this.kernels[s] as tf.Tensor4D, 2, 'same'), this.biases[s])) as tf.Tensor4D;
      }
      return x;
    });
    return { features };
  }

  /**
   * Writes the same computation into an ONNX graph (NCHW values), which the backbone contract checks
   * against apply(). TF's 'same' padding puts the odd pixel at the end: ONNX's SAME_UPPER.
   */
  toOnnx(g: OnnxGraphBuilder, input: string): { features: string } {
    let x = input;
    this.kernels.forEach((kernel, s) => {
      const [kh, kw, cin, cout] = kernel.shape;
      const w = `tiny_conv.${s}.weight`;
      const b = `tiny_conv.${s}.bias`;
      const oihw = tf.transpose(kernel, [3, 2, 0, 1]);
      // The origins tell the training graph which tfjs variable each initializer is, so it trains them.
      g.addInitializer(w, oihw.dataSync() as Float32Array, [cout, cin, kh, kw], 'float', { variable: kernel, layout: 'hwio-to-oihw' });
      oihw.dispose();
      g.addInitializer(b, this.biases[s].dataSync() as Float32Array, [cout], 'float', { variable: this.biases[s], layout: 'same' });
      x = g.op('Relu', [g.op('Conv', [x, w, b], { kernel_shape: [kh, kw], strides: [2, 2], auto_pad: 'SAME_UPPER' })]);
    });
    return { features: x };
  }

  /** Stable parameter names, so zls checkpoints can address them. */
  namedVariables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    this.kernels.forEach((k, s) => out.set(`stage${s}.weight`, k));
    this.biases.forEach((b, s) => out.set(`stage${s}.bias`, b));
    return out;
  }

  trainableVariables(): tf.Variable[] {
    return [...this.kernels, ...this.biases];
  }

  dispose(): void {
    for (const v of this.trainableVariables()) v.dispose();
  }
}
