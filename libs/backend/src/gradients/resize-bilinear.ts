import * as tf from '@tensorflow/tfjs';

/**
 * Interpolation matrix M [outSize, inSize] of tfjs' ResizeBilinear along one axis: out = M · in.
 * Source coordinate: half-pixel ((o + 0.5)·in/out − 0.5), align-corners (o·(in−1)/(out−1)) or
 * asymmetric (o·in/out); clamped to the edge, as the forward kernels do.
 */
export function bilinearResizeMatrix(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): Float32Array {
  const m = new Float32Array(outSize * inSize);
  const scale = alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const src = halfPixelCenters ? (o + 0.5) * scale - 0.5 : o * scale;
    const clamped = Math.min(Math.max(src, 0), inSize - 1);
    const lo = Math.floor(clamped);
    const hi = Math.min(lo + 1, inSize - 1);
    const frac = clamped - lo;
    m[o * inSize + lo] += 1 - frac;
    m[o * inSize + hi] += frac;
  }
  return m;
}

/**
 * Gradient of ResizeBilinear for every backend: the exact adjoint of the forward, dx = Myᵀ · dy · Mx per
 * image and channel, as two matrix products. Replaces tfjs' ResizeBilinearGrad kernels, which on `cpu`
 * ignore halfPixelCenters.
 */
export const resizeBilinearGradConfig: tf.GradConfig = {
  kernelName: tf.ResizeBilinear,
  inputsToSave: ['images'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [images] = saved as [tf.Tensor4D];
    const alignCorners = Boolean(attrs['alignCorners']);
    const halfPixelCenters = Boolean(attrs['halfPixelCenters']);
    return { images: () => resizeBilinearAdjoint(dy as tf.Tensor4D, images.shape, alignCorners, halfPixelCenters) };
  },
};

function resizeBilinearAdjoint(dy: tf.Tensor4D, inShape: number[], alignCorners: boolean, halfPixelCenters: boolean): tf.Tensor4D {
  const [n, h, w, c] = inShape;
  const [, oh, ow] = dy.shape;
  return tf.tidy(() => {
    const my = tf.tensor2d(bilinearResizeMatrix(h, oh, alignCorners, halfPixelCenters), [oh, h]);
    const mx = tf.tensor2d(bilinearResizeMatrix(w, ow, alignCorners, halfPixelCenters), [ow, w]);
    // Contract rows: [N,OH,OW,C] → [N·OW·C, OH] · My → [N,OW,C,H].
    const rows = tf.matMul(tf.reshape(tf.transpose(dy, [0, 2, 3, 1]), [n * ow * c, oh]), my);
    // Contract columns: [N,H,C,OW] · Mx → [N,H,C,W] → [N,H,W,C].
    const byCols = tf.transpose(tf.reshape(rows, [n, ow, c, h]), [0, 3, 2, 1]);
    const cols = tf.matMul(tf.reshape(byCols, [n * h * c, ow]), mx);
    return tf.transpose(tf.reshape(cols, [n, h, c, w]), [0, 1, 3, 2]) as tf.Tensor4D;
  });
}

/** The project's one resize convention: bilinear with half-pixel centres (PyTorch's align_corners=False). */
export function resizeBilinearHalfPixel<T extends tf.Tensor3D | tf.Tensor4D>(images: T, size: [number, number]): T {
  return tf.image.resizeBilinear(images, size, false, true);
}
