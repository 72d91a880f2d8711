import type * as tf from '@tensorflow/tfjs';
import { hwioToOihwData, oihwToHwioData } from '@zls/backend';

/** HWIO (tfjs) filter → OIHW (ONNX, PyTorch) as a fresh Float32Array. */
export function hwioToOihw(weight: tf.Tensor): Float32Array {
  return hwioToOihwData(weight.dataSync() as Float32Array, weight.shape);
}

/** OIHW → HWIO, for weights that come from PyTorch / torchvision files. */
export function oihwToHwio(src: Float32Array, shape: readonly number[]): Float32Array {
  return oihwToHwioData(src, shape);
}
