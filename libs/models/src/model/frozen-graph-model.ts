import * as tf from '@tensorflow/tfjs';
import { createNativeSession, frozenGraphSessionOptions, type NativeSession } from '@zls/backend';
import { ZlsError, type ModelGeometry, type SegmentationModel, type TrainableVariable } from '@zls/core';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import type { SegmentationNet } from './segmentation-net';

/**
 * A SegmentationNet as one onnxruntime graph per class list, with the weights it has now: what a frozen pass
 * (evaluation, labelling by a frozen generator) runs, instead of one onnxruntime call per tfjs op. Synchronous,
 * so it drops in wherever `forward` is called. With `multiScaleTest`, the graph of a multi-scale net's
 * max-fused test (multi-scale.ts). Disposing it frees its sessions, never the net's variables.
 */
export class FrozenGraphModel implements SegmentationModel {
  readonly numClasses: number;
  readonly geometry: ModelGeometry;
  private readonly sessions = new Map<string, NativeSession>();

  constructor(
    private readonly net: SegmentationNet,
    private readonly threads: number,
    private readonly multiScaleTest = false,
  ) {
    this.numClasses = net.numClasses;
    this.geometry = net.geometry;
  }

  private session(classes: readonly number[]): NativeSession {
    const key = classes.join(',');
    let s = this.sessions.get(key);
    if (!s) {
      // One session runs every view (×1, ×1.5, ×1.75, mirrored) and batch size: no arena, so none keeps its peak.
      s = createNativeSession(this.net.toOnnx({ classes, multiScale: this.multiScaleTest ? 'test' : undefined }), frozenGraphSessionOptions(this.threads));
      this.sessions.set(key, s);
    }
    return s;
  }

  forward(images: tf.Tensor4D, training: boolean, classes: readonly number[] = Array.from({ length: this.numClasses }, (_, i) => i)): tf.Tensor4D {
    if (training) throw new ZlsError('a frozen graph model has no training mode; train the network itself');
    const session = this.session(classes);
    const out = session.run({ images: new OrtTensor('float32', images.dataSync() as Float32Array, images.shape) }, { scores: null }, {})['scores'];
    return tf.tensor4d(out.data as Float32Array, out.dims as [number, number, number, number]);
  }

  trainable(): TrainableVariable[] {
    return [];
  }

  stateVariables(): Record<string, tf.Variable> {
    return this.net.stateVariables();
  }

  dispose(): void {
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
  }
}
