import * as tf from '@tensorflow/tfjs';
import { batchNormTrain, type OnnxGraphBuilder } from '@zls/backend';
import type { Layer } from './layer';
import { Module } from './module';

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the new batch statistic in the running average (PyTorch's convention, default 0.1). */
  momentum?: number;
  /** Frozen: always normalise with the running statistics and never train γ, β (DeepLab-v2's BN). */
  frozen?: boolean;
}

/**
 * Batch normalisation over N, H, W with PyTorch's semantics: training normalises with the biased batch
 * variance and updates the running variance with the unbiased one; inference and frozen mode use the
 * running statistics. Parameter names follow torchvision (weight, bias, running_mean, running_var).
 */
export class BatchNorm2d extends Module implements Layer {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly eps: number;
  readonly momentum: number;
  private frozenStats: boolean;

  constructor(
    readonly channels: number,
    options: BatchNormOptions = {},
  ) {
    super();
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    this.weight = this.param('weight', tf.ones([channels]));
    this.bias = this.param('bias', tf.zeros([channels]));
    this.runningMean = this.param('running_mean', tf.zeros([channels]), false);
    this.runningVar = this.param('running_var', tf.ones([channels]), false);
    this.frozenStats = false;
    if (options.frozen) this.freeze();
  }

  get frozen(): boolean {
    return this.frozenStats;
  }

  override freeze(): void {
    super.freeze();
    this.frozenStats = true;
  }

  /**
   * The next inference-mode apply first sets the running statistics to that batch's (biased) moments: a randomly
   * initialised network with frozen batch norm otherwise normalises nothing, and a deep one explodes.
   */
  estimateStatisticsOnNextApply(): void {
    this.estimateNext = true;
  }

  private estimateNext = false;

  /** `relu` fuses a following ReLU (one onnxruntime graph per direction on the wasm-ort backend). */
  apply(x: tf.Tensor4D, training: boolean, relu = false): tf.Tensor4D {
    if (!training || this.frozenStats) {
      if (this.estimateNext) {
        this.estimateNext = false;
        tf.tidy(() => {
          const { mean, variance } = tf.moments(x, [0, 1, 2]);
          this.runningMean.assign(mean);
          this.runningVar.assign(variance);
        });
      }
      return tf.tidy(() => {
        const y = tf.batchNorm4d(x, this.runningMean as tf.Tensor1D, this.runningVar as tf.Tensor1D, this.bias as tf.Tensor1D, this.weight as tf.Tensor1D, this.eps);
        return relu ? tf.relu(y) : y;
      });
    }
    return tf.tidy(() => {
      const { y, mean, variance } = batchNormTrain(x, this.weight as tf.Tensor1D, this.bias as tf.Tensor1D, { epsilon: this.eps, relu });
      this.updateRunningStats(mean, variance, x.size / x.shape[3]);
      return y;
    });
  }

  private updateRunningStats(mean: tf.Tensor, variance: tf.Tensor, count: number): void {
    const m = this.momentum;
    const unbiased = count > 1 ? count / (count - 1) : 1;
    // The assigned values feed no loss, so under a gradient tape they add nothing to the gradients.
    this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
    this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(variance, m * unbiased)));
  }

  toOnnx(g: OnnxGraphBuilder, x: string): string {
    const names = ['weight', 'bias', 'running_mean', 'running_var'].map((n) => this.paramPath(n));
    [this.weight, this.bias, this.runningMean, this.runningVar].forEach((v, i) =>
      g.addInitializer(names[i], v.dataSync() as Float32Array, [this.channels], 'float', { variable: v, layout: 'same' }),
    );
    // ONNX's momentum is the weight of the old running value (PyTorch's is the new one's); training graphs read it.
    return g.op('BatchNormalization', [x, ...names], { epsilon: { float: this.eps }, momentum: { float: 1 - this.momentum } });
  }
}
