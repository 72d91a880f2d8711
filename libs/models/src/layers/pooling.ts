import * as tf from '@tensorflow/tfjs';
import type { OnnxGraphBuilder } from '@zls/backend';
import { onnxOps } from '../onnx/onnx-ops';
import type { Layer } from './layer';

/** Output size and the (leading, trailing) padding of a PyTorch-style pooling window. */
export function poolGeometry(size: number, kernel: number, stride: number, padding: number, ceil: boolean): { out: number; lead: number; trail: number } {
  const span = size + 2 * padding - kernel;
  if (span < 0) throw new Error(`pooling: input size ${size} is smaller than the window ${kernel} with padding ${padding}`);
  let out = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  // PyTorch drops a last window that would start inside the trailing padding.
  if (ceil && (out - 1) * stride >= size + padding) out -= 1;
  const trail = Math.max(0, (out - 1) * stride + kernel - size - padding);
  return { out, lead: padding, trail };
}

const PAD_VALUE = -3.4e38;

/** Max pooling with PyTorch semantics (symmetric padding that never wins, optional ceil mode: the Caffe stem). */
export class MaxPool2d implements Layer {
  constructor(
    readonly kernel: number,
    readonly stride: number,
    readonly padding = 0,
    readonly ceilMode = false,
  ) {}

  private pads(h: number, w: number): [number, number, number, number] {
    const gh = poolGeometry(h, this.kernel, this.stride, this.padding, this.ceilMode);
    const gw = poolGeometry(w, this.kernel, this.stride, this.padding, this.ceilMode);
    return [gh.lead, gw.lead, gh.trail, gw.trail];
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    const [top, left, bottom, right] = this.pads(x.shape[1], x.shape[2]);
    return tf.tidy(() => {
      const padded = top || left || bottom || right ? tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]], PAD_VALUE) : x;
      return tf.maxPool(padded, this.kernel, this.stride, 'valid');
    });
  }

  toOnnx(g: OnnxGraphBuilder, x: string): string {
    return onnxOps.maxPool(g, x, { kernel: this.kernel, stride: this.stride, padding: this.padding, ceilMode: this.ceilMode });
  }
}

/** Global average pooling to 1×1 (DeepLabv3+'s image-pooling branch). */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor4D {
  return tf.mean(x, [1, 2], true) as tf.Tensor4D;
}
