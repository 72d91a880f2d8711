import type * as tf from '@tensorflow/tfjs';
import type { OnnxGraphBuilder } from '@zls/backend';

/**
 * A building block that runs in tfjs (NHWC) and writes the same computation into an ONNX graph, where values
 * are NCHW (the layout onnxruntime's convolutions want). Exported graphs are always in inference mode.
 */
export interface Layer {
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
  toOnnx(g: OnnxGraphBuilder, x: string): string;
}
