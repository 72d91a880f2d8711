import * as tf from '@tensorflow/tfjs';
import type { SegmentationModel } from '@zls/core';

/** A test-time view of the input: a rescale factor and whether it is mirrored. */
export interface View {
  readonly scale: number;
  readonly flip: boolean;
}

/** Identity, its mirror, and each rescale with and without mirroring (STRICT's paper setting: 6 views). */
export function viewSet(scales: readonly number[], flip: boolean): View[] {
  const views: View[] = [{ scale: 1, flip: false }];
  if (flip) views.push({ scale: 1, flip: true });
  for (const scale of scales) {
    views.push({ scale, flip: false });
    if (flip) views.push({ scale, flip: true });
  }
  return views;
}

/**
 * The generator's scores for one view, mapped back onto the identity grid: mirror and rescale the input
 * (bilinear, half-pixel centres), run the generator, resize the scores back to H×W and undo the mirror.
 */
export function viewScores(generator: SegmentationModel, images: tf.Tensor4D, classes: readonly number[], view: View): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w] = images.shape;
    let x = view.flip ? tf.reverse(images, 2) : images;
    if (view.scale !== 1) x = tf.image.resizeBilinear(x, [Math.round(h * view.scale), Math.round(w * view.scale)], false, true);
    let scores = generator.forward(x, false, classes);
    if (scores.shape[1] !== h || scores.shape[2] !== w) scores = tf.image.resizeBilinear(scores, [h, w], false, true);
    return view.flip ? tf.reverse(scores, 2) : scores;
  });
}
