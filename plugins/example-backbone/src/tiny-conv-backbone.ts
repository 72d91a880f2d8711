import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { injectable } from 'tsyringe';
import type { Backbone, BackboneOutput } from '@zls/core';

export class TinyConvBackboneOptions {
  /** Channels of the first stage; the second stage has twice as many. */
  @IsInt() @Min(1) @Max(512) width = 16;
  /** Each stride-2 stage halves the resolution: 2 stages → 4, 3 stages → 8. */
  @IsIn([4, 8]) outputStride: 4 | 8 = 4;
  @IsInt() @Min(0) seed = 0;
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

  constructor(options: TinyConvBackboneOptions) {
    this.outputStride = options.outputStride;
    const stages = Math.log2(options.outputStride);
    let inChannels = 3;
    for (let s = 0; s < stages; s++) {
      const out = options.width * 2 ** s;
      // He initialisation keeps activations from shrinking through the ReLUs.
      const std = Math.sqrt(2 / (9 * inChannels));
      this.kernels.push(tf.variable(tf.randomNormal([3, 3, inChannels, out], 0, std, 'float32', options.seed + s), true));
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

  trainableVariables(): tf.Variable[] {
    return [...this.kernels, ...this.biases];
  }

  dispose(): void {
    for (const v of this.trainableVariables()) v.dispose();
  }
}
