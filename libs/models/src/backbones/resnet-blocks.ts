import * as tf from '@tensorflow/tfjs';
import type { OnnxGraphBuilder } from '@zls/backend';
import { BatchNorm2d } from '../layers/batch-norm';
import { Conv2d } from '../layers/conv2d';
import type { Layer } from '../layers/layer';
import { Module } from '../layers/module';
import { Sequential } from '../layers/sequential';

export interface BlockSpec {
  inChannels: number;
  /** Inner width (planes): the block outputs planes × expansion channels. */
  planes: number;
  stride: number;
  dilation: number;
  /** Caffe (MSRA) bottlenecks stride in the first 1×1 convolution, torchvision's in the 3×3. */
  strideInFirst1x1: boolean;
  frozenBn: boolean;
  seed: () => number;
}

function downsample(spec: BlockSpec, outChannels: number): Sequential | undefined {
  if (spec.stride === 1 && spec.inChannels === outChannels) return undefined;
  return new Sequential([
    new Conv2d({ inChannels: spec.inChannels, outChannels, kernel: 1, stride: spec.stride, bias: false, seed: spec.seed() }),
    new BatchNorm2d(outChannels, { frozen: spec.frozenBn }),
  ]);
}

/** Residual block: the main path's convolutions and batch norms, plus an optional projection shortcut. */
abstract class ResidualBlock extends Module implements Layer {
  protected abstract mainPath(): [Conv2d, BatchNorm2d][];
  protected shortcut?: Sequential;

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return tf.tidy(() => {
      const steps = this.mainPath();
      let y = x;
      steps.forEach(([conv, bn], i) => {
        y = bn.apply(conv.apply(y), training, i < steps.length - 1);
      });
      const identity = this.shortcut ? this.shortcut.apply(x, training) : x;
      return tf.relu(tf.add(y, identity)) as tf.Tensor4D;
    });
  }

  toOnnx(g: OnnxGraphBuilder, x: string): string {
    const steps = this.mainPath();
    let y = x;
    steps.forEach(([conv, bn], i) => {
      y = bn.toOnnx(g, conv.toOnnx(g, y));
      if (i < steps.length - 1) y = g.op('Relu', [y]);
    });
    const identity = this.shortcut ? this.shortcut.toOnnx(g, x) : x;
    return g.op('Relu', [g.op('Add', [y, identity])]);
  }
}

/** ResNet-18/34 block: two 3×3 convolutions. */
export class BasicBlock extends ResidualBlock {
  static readonly expansion = 1;
  private readonly steps: [Conv2d, BatchNorm2d][];

  constructor(spec: BlockSpec) {
    super();
    const { planes, dilation, frozenBn } = spec;
    const conv1 = this.child('conv1', new Conv2d({ inChannels: spec.inChannels, outChannels: planes, kernel: 3, stride: spec.stride, dilation, bias: false, seed: spec.seed() }));
    const bn1 = this.child('bn1', new BatchNorm2d(planes, { frozen: frozenBn }));
    const conv2 = this.child('conv2', new Conv2d({ inChannels: planes, outChannels: planes, kernel: 3, dilation, bias: false, seed: spec.seed() }));
    const bn2 = this.child('bn2', new BatchNorm2d(planes, { frozen: frozenBn }));
    this.steps = [
      [conv1, bn1],
      [conv2, bn2],
    ];
    const sc = downsample(spec, planes);
    if (sc) this.shortcut = this.child('downsample', sc);
  }

  protected mainPath(): [Conv2d, BatchNorm2d][] {
    return this.steps;
  }
}

/** ResNet-50/101 block: 1×1 reduce, 3×3 (dilated in DeepLab's later stages), 1×1 expand ×4. */
export class Bottleneck extends ResidualBlock {
  static readonly expansion = 4;
  private readonly steps: [Conv2d, BatchNorm2d][];

  constructor(spec: BlockSpec) {
    super();
    const { planes, dilation, frozenBn } = spec;
    const s1 = spec.strideInFirst1x1 ? spec.stride : 1;
    const s3 = spec.strideInFirst1x1 ? 1 : spec.stride;
    const conv1 = this.child('conv1', new Conv2d({ inChannels: spec.inChannels, outChannels: planes, kernel: 1, stride: s1, bias: false, seed: spec.seed() }));
    const bn1 = this.child('bn1', new BatchNorm2d(planes, { frozen: frozenBn }));
    const conv2 = this.child('conv2', new Conv2d({ inChannels: planes, outChannels: planes, kernel: 3, stride: s3, dilation, bias: false, seed: spec.seed() }));
    const bn2 = this.child('bn2', new BatchNorm2d(planes, { frozen: frozenBn }));
    const conv3 = this.child('conv3', new Conv2d({ inChannels: planes, outChannels: planes * 4, kernel: 1, bias: false, seed: spec.seed() }));
    const bn3 = this.child('bn3', new BatchNorm2d(planes * 4, { frozen: frozenBn }));
    this.steps = [
      [conv1, bn1],
      [conv2, bn2],
      [conv3, bn3],
    ];
    const sc = downsample(spec, planes * 4);
    if (sc) this.shortcut = this.child('downsample', sc);
  }

  protected mainPath(): [Conv2d, BatchNorm2d][] {
    return this.steps;
  }
}
