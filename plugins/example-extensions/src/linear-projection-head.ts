import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { inject, injectable } from 'tsyringe';
import type { OnnxGraphBuilder } from '@zls/backend';
import { TOKENS, type BackboneOutput, type ComponentContext, type Head, type OnnxBackboneOutput } from '@zls/core';

export class LinearProjectionHeadOptions {
  /** Size of the pixel embedding: must equal the class embeddings' dimension. */
  @IsInt() @Min(1) @Max(4096) embeddingDim = 300;
  /** Initialisation seed; unset: the run's seed (injected as TOKENS.RunContext). */
  @IsOptional() @IsInt() @Min(0) seed?: number;
}

/**
 * The simplest semantic-projection head: one 1×1 convolution from the backbone's features to the embedding
 * space (SPNet without ASPP). It shows the injected run context: the registry passes the backbone's width as
 * `inputChannels`, so the weights exist from the constructor on.
 */
@injectable()
export class LinearProjectionHead implements Head {
  readonly outputChannels: number;
  private readonly kernel: tf.Variable;
  private readonly bias: tf.Variable;

  constructor(options: LinearProjectionHeadOptions, @inject(TOKENS.RunContext) context: ComponentContext = {}) {
    if (context.inputChannels === undefined) throw new Error('linear-projection: build it through the head registry, which passes the backbone width');
    this.outputChannels = options.embeddingDim;
    const seed = options.seed ?? context.seed ?? 0;
    const std = Math.sqrt(1 / context.inputChannels);
    const inChannels = context.inputChannels;
    // Inside tidy, the initial values are freed once copied into the variables (tidy keeps variables).
    this.kernel = tf.tidy(() => tf.variable(tf.randomNormal([1, 1, inChannels, options.embeddingDim], 0, std, 'float32', seed), true));
    this.bias = tf.tidy(() => tf.variable(tf.zeros([options.embeddingDim]), true));
  }

  apply(features: BackboneOutput, _training: boolean): tf.Tensor4D {
    return tf.tidy(() => tf.add(tf.conv2d(features.features, this.kernel as tf.Tensor4D, 1, 'valid'), this.bias) as tf.Tensor4D);
  }

  /** The same 1×1 convolution in ONNX (NCHW), so the model trains as one onnxruntime graph and exports. */
  toOnnx(g: OnnxGraphBuilder, input: OnnxBackboneOutput): string {
    const [, , cin, cout] = this.kernel.shape;
    const oihw = tf.tidy(() => tf.transpose(this.kernel, [3, 2, 0, 1]));
    // The origins tell the training graph which tfjs variable each initializer is, so it trains them.
    g.addInitializer('linear_projection.weight', oihw.dataSync() as Float32Array, [cout, cin, 1, 1], 'float', { variable: this.kernel, layout: 'hwio-to-oihw' });
    oihw.dispose();
    g.addInitializer('linear_projection.bias', this.bias.dataSync() as Float32Array, [cout], 'float', { variable: this.bias, layout: 'same' });
    return g.op('Conv', [input.features, 'linear_projection.weight', 'linear_projection.bias'], { kernel_shape: [1, 1] });
  }

  namedVariables(): Map<string, tf.Variable> {
    return new Map([
      ['weight', this.kernel],
      ['bias', this.bias],
    ]);
  }

  trainableVariables(): tf.Variable[] {
    return [this.kernel, this.bias];
  }

  dispose(): void {
    this.kernel.dispose();
    this.bias.dispose();
  }
}
