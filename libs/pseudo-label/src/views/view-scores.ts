import * as tf from '@tensorflow/tfjs';
import type { ModelGeometry, SegmentationModel } from '@zls/core';

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
 * A view's input side. For a corner-aligned generator on a (stride·k + 1)-pixel input the view keeps that
 * form, stride·round(k·scale) + 1, so its score grid lands on the identity's (65 px at stride 4: 97, 113);
 * otherwise round(side·scale).
 */
export function viewSide(side: number, scale: number, geometry: ModelGeometry | undefined): number {
  if (scale === 1) return side;
  const stride = geometry?.outputStride ?? 0;
  if (geometry?.alignCorners && stride > 0 && (side - 1) % stride === 0) return stride * Math.round(((side - 1) / stride) * scale) + 1;
  return Math.round(side * scale);
}

/**
 * The generator's scores for one view, mapped back onto the identity grid: mirror and rescale the input
 * (bilinear), run the generator, resize the scores back to H×W and undo the mirror. Resizing follows the
 * generator's geometry: corner-aligned for a corner-aligned network, half-pixel centres otherwise.
 */
export function viewScores(generator: SegmentationModel, images: tf.Tensor4D, classes: readonly number[], view: View): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w] = images.shape;
    const corners = generator.geometry?.alignCorners ?? false;
    let x = view.flip ? tf.reverse(images, 2) : images;
    if (view.scale !== 1) x = tf.image.resizeBilinear(x, [viewSide(h, view.scale, generator.geometry), viewSide(w, view.scale, generator.geometry)], corners, !corners);
    let scores = generator.forward(x, false, classes);
    if (scores.shape[1] !== h || scores.shape[2] !== w) scores = tf.image.resizeBilinear(scores, [h, w], corners, !corners);
    return view.flip ? tf.reverse(scores, 2) : scores;
  });
}
