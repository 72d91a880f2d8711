import * as tf from '@tensorflow/tfjs';
import type { OnnxInferenceSession } from '@zls/backend';
import type { SegmentationModel } from '@zls/core';

/** Per-pixel argmax over the last axis of [H, W, C] scores → class indices, row-major. */
export function argmaxClasses(scores: Float32Array, numClasses: number): Uint8Array {
  const pixels = scores.length / numClasses;
  const out = new Uint8Array(pixels);
  for (let p = 0; p < pixels; p++) {
    let best = 0;
    let bestScore = scores[p * numClasses];
    for (let c = 1; c < numClasses; c++) {
      const v = scores[p * numClasses + c];
      if (v > bestScore) {
        bestScore = v;
        best = c;
      }
    }
    out[p] = best;
  }
  return out;
}

/** Scores [H, W, C] of one normalised HWC image from a tfjs model. */
export function predictScoresTfjs(model: SegmentationModel, image: Float32Array, height: number, width: number, classes?: readonly number[]): Float32Array {
  // Read the values outside tidy: tidy walks a returned typed array element by element looking for tensors.
  const scores = tf.tidy(() => model.forward(tf.tensor4d(image, [1, height, width, 3]), false, classes));
  const values = scores.dataSync() as Float32Array;
  scores.dispose();
  return values;
}

/** The same from an exported ONNX model (input 'images', output 'scores'). */
export async function predictScoresOnnx(session: OnnxInferenceSession, image: Float32Array, height: number, width: number): Promise<{ scores: Float32Array; numClasses: number }> {
  const out = await session.run({ images: { data: image, dims: [1, height, width, 3] } });
  const scores = out['scores'] ?? Object.values(out)[0];
  return { scores: scores.data, numClasses: scores.dims[scores.dims.length - 1] };
}
