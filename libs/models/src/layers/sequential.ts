import * as tf from '@tensorflow/tfjs';
import type { OnnxGraphBuilder } from '@zls/backend';
import type { Layer } from './layer';
import { Module } from './module';

/** Layers applied in order; modules among them are named by their position ("0", "1", …) like torch. */
export class Sequential extends Module implements Layer {
  readonly layers: Layer[];

  constructor(layers: Layer[]) {
    super();
    this.layers = layers.map((l, i) => (l instanceof Module ? (this.child(String(i), l) as unknown as Layer) : l));
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => this.layers.reduce((y, l) => l.apply(y, training), x));
  }

  toOnnx(g: OnnxGraphBuilder, x: string): string {
    return this.layers.reduce((y, l) => l.toOnnx(g, y), x);
  }
}
