import * as tf from '@tensorflow/tfjs';
import type { OnnxGraphBuilder } from '@zls/backend';
import { Conv2d } from '../layers/conv2d';
import { Module } from '../layers/module';

/** Turns per-pixel head features [N,h,w,D] into class scores [N,h,w,|classes|]. */
export interface Scorer {
  readonly kind: 'embeddings' | 'linear';
  scores(features: tf.Tensor4D, classes: readonly number[]): tf.Tensor4D;
  toOnnx(g: OnnxGraphBuilder, features: string, classes: readonly number[]): string;
}

/**
 * SPNet's fixed semantic projection: s_c = φ · w_c with the class embeddings as a non-trainable
 * parameter (saved in checkpoints, so a model file carries the class space it was trained for).
 */
export class EmbeddingScorer extends Module implements Scorer {
  readonly kind = 'embeddings';
  readonly embeddings: tf.Variable;

  constructor(embeddings: Float32Array, readonly numClasses: number, readonly dim: number) {
    super();
    if (embeddings.length !== numClasses * dim) throw new Error(`class embeddings: ${embeddings.length} values, expected ${numClasses}×${dim}`);
    this.embeddings = this.param('embeddings', tf.tensor2d(embeddings, [numClasses, dim]), false);
  }

  scores(features: tf.Tensor4D, classes: readonly number[]): tf.Tensor4D {
    const [n, h, w, d] = features.shape;
    if (d !== this.dim) throw new Error(`features have ${d} channels but the class embeddings have ${this.dim} dimensions`);
    return tf.tidy(() => {
      const e = classes.length === this.numClasses && classes.every((c, i) => c === i) ? this.embeddings : tf.gather(this.embeddings, Array.from(classes));
      return tf.matMul(tf.reshape(features, [n * h * w, d]), e as tf.Tensor2D, false, true).reshape([n, h, w, classes.length]) as tf.Tensor4D;
    });
  }

  toOnnx(g: OnnxGraphBuilder, features: string, classes: readonly number[]): string {
    // A 1×1 convolution with the embedding rows as filters is the same dot product in NCHW.
    const all = this.embeddings.dataSync() as Float32Array;
    const rows = new Float32Array(classes.length * this.dim);
    classes.forEach((c, i) => rows.set(all.subarray(c * this.dim, (c + 1) * this.dim), i * this.dim));
    const name = g.temp(this.paramPath('embeddings'));
    g.addInitializer(name, rows, [classes.length, this.dim, 1, 1]);
    return g.op('Conv', [features, name], { kernel_shape: [1, 1] });
  }
}

/** A learnt 1×1 classifier (DeepLab / ZS3Net), which ZS3Net re-initialises and retrains on generated features. */
export class LinearScorer extends Module implements Scorer {
  readonly kind = 'linear';
  conv: Conv2d;

  constructor(readonly inChannels: number, readonly numClasses: number, private seed = 0) {
    super();
    this.conv = this.child('conv', new Conv2d({ inChannels, outChannels: numClasses, kernel: 1, seed }));
  }

  /** Fresh random weights and zero bias (ZS3Net's stage 2 starts the classifier over). */
  reinitialise(seed = this.seed + 1): void {
    this.seed = seed;
    const fresh = new Conv2d({ inChannels: this.inChannels, outChannels: this.numClasses, kernel: 1, seed });
    this.conv.weight.assign(fresh.weight);
    this.conv.bias?.assign(fresh.bias as tf.Variable);
    fresh.dispose();
  }

  scores(features: tf.Tensor4D, classes: readonly number[]): tf.Tensor4D {
    return tf.tidy(() => {
      const all = this.conv.apply(features);
      if (classes.length === this.numClasses && classes.every((c, i) => c === i)) return all;
      // Picking channels as a product with a 0/1 matrix: gather's gradient needs UnsortedSegmentSum, which
      // the wasm backends lack.
      const pick = new Float32Array(this.numClasses * classes.length);
      classes.forEach((c, j) => (pick[c * classes.length + j] = 1));
      const [n, h, w] = all.shape;
      return tf.matMul(all.reshape([n * h * w, this.numClasses]), tf.tensor2d(pick, [this.numClasses, classes.length])).reshape([n, h, w, classes.length]) as tf.Tensor4D;
    });
  }

  toOnnx(g: OnnxGraphBuilder, features: string, classes: readonly number[]): string {
    const all = this.conv.toOnnx(g, features);
    if (classes.length === this.numClasses && classes.every((c, i) => c === i)) return all;
    const idx = g.temp('classes');
    g.addInt64Initializer(idx, [...classes]);
    return g.op('Gather', [all, idx], { axis: 1 });
  }
}
