import * as tf from '@tensorflow/tfjs';
import type { OnnxGraphBuilder } from '@zls/backend';
import { initialWeight, type WeightInit } from './init';
import type { Layer } from './layer';
import { Module } from './module';
import { hwioToOihw } from '../onnx/weights';

export interface Conv2dOptions {
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride?: number;
  dilation?: number;
  /** Symmetric zero padding; defaults to dilation·(kernel−1)/2, which keeps the size at stride 1. */
  padding?: number;
  bias?: boolean;
  init?: WeightInit;
  seed?: number;
}

/**
 * 2-D convolution with explicit symmetric padding (PyTorch semantics, so imported weights and ONNX agree).
 * Weight is stored HWIO ([kh, kw, in, out]) as tfjs uses it; ONNX export transposes to OIHW.
 */
export class Conv2d extends Module implements Layer {
  readonly weight: tf.Variable;
  readonly bias?: tf.Variable;
  readonly stride: number;
  readonly dilation: number;
  readonly padding: number;

  constructor(readonly options: Conv2dOptions) {
    super();
    const { inChannels, outChannels, kernel } = options;
    this.stride = options.stride ?? 1;
    this.dilation = options.dilation ?? 1;
    this.padding = options.padding ?? (this.dilation * (kernel - 1)) / 2;
    if (!Number.isInteger(this.padding)) throw new Error(`Conv2d: padding ${this.padding} is not an integer; pass it explicitly`);
    if (this.stride > 1 && this.dilation > 1) throw new Error('Conv2d: tfjs supports stride > 1 or dilation > 1, not both');
    this.weight = this.param('weight', initialWeight([kernel, kernel, inChannels, outChannels], options.init ?? { kind: 'he' }, options.seed ?? 0));
    if (options.bias ?? true) this.bias = this.param('bias', tf.zeros([outChannels]));
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const p = this.padding;
      const pad: tf.backend_util.ExplicitPadding = [[0, 0], [p, p], [p, p], [0, 0]];
      const y = tf.conv2d(x, this.weight as tf.Tensor4D, this.stride, pad, 'NHWC', this.dilation);
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }

  toOnnx(g: OnnxGraphBuilder, x: string): string {
    const w = this.paramPath('weight');
    const [kh, kw, cin, cout] = this.weight.shape;
    g.addInitializer(w, hwioToOihw(this.weight), [cout, cin, kh, kw], 'float', { variable: this.weight, layout: 'hwio-to-oihw' });
    const inputs = [x, w];
    if (this.bias) {
      const b = this.paramPath('bias');
      g.addInitializer(b, this.bias.dataSync() as Float32Array, [cout], 'float', { variable: this.bias, layout: 'same' });
      inputs.push(b);
    }
    const p = this.padding;
    return g.op('Conv', inputs, {
      kernel_shape: [kh, kw],
      strides: [this.stride, this.stride],
      dilations: [this.dilation, this.dilation],
      pads: [p, p, p, p],
    });
  }
}
