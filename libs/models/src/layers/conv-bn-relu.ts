import * as tf from '@tensorflow/tfjs';
import type { OnnxGraphBuilder } from '@zls/backend';
import { BatchNorm2d, type BatchNormOptions } from './batch-norm';
import { Conv2d, type Conv2dOptions } from './conv2d';
import type { Layer } from './layer';
import { Module } from './module';

/** conv → batch norm → optional ReLU; the convolution has no bias since BN's β takes its place. */
export class ConvBnRelu extends Module implements Layer {
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;

  constructor(conv: Omit<Conv2dOptions, 'bias'>, bn: BatchNormOptions = {}, readonly relu = true) {
    super();
    this.conv = this.child('conv', new Conv2d({ ...conv, bias: false }));
    this.bn = this.child('bn', new BatchNorm2d(conv.outChannels, bn));
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => this.bn.apply(this.conv.apply(x), training, this.relu));
  }

  toOnnx(g: OnnxGraphBuilder, x: string): string {
    const y = this.bn.toOnnx(g, this.conv.toOnnx(g, x));
    return this.relu ? g.op('Relu', [y]) : y;
  }
}
