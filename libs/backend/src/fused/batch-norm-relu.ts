import * as tf from '@tensorflow/tfjs';
import { ZlsError } from '@zls/core';

/** Kernel names of the fused training-mode batch norm; backends that lack them get the composite path. */
export const BATCH_NORM_TRAIN = 'ZlsBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'ZlsBatchNormTrainGrad';

export interface BatchNormTrainAttrs {
  epsilon: number;
  relu: boolean;
}

export interface BatchNormTrainResult {
  /** Normalised, scaled, shifted (and rectified) activations. */
  y: tf.Tensor4D;
  /** Batch mean per channel (no gradient flows through it: for running statistics). */
  mean: tf.Tensor1D;
  /** Biased batch variance per channel (no gradient flows through it: for running statistics). */
  variance: tf.Tensor1D;
}

function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/**
 * Training-mode batch norm over N, H, W of NHWC `x`, with optional ReLU:
 * y = relu(γ·(x − μ)/√(σ² + ε) + β). On backends with the fused kernels (wasm-ort) forward and backward
 * are one onnxruntime graph each; elsewhere the same formula in tfjs ops. Gradients flow to x, γ and β.
 */
export function batchNormTrain(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, attrs: Partial<BatchNormTrainAttrs> = {}): BatchNormTrainResult {
  const full: BatchNormTrainAttrs = { epsilon: attrs.epsilon ?? 1e-5, relu: attrs.relu ?? false };
  const c = x.shape[3];
  if (gamma.shape[0] !== c || beta.shape[0] !== c) {
    throw new ZlsError(`batchNormTrain: gamma [${gamma.shape}] and beta [${beta.shape}] must have ${c} entries (channels of x [${x.shape}])`);
  }
  if (x.dtype !== 'float32') throw new ZlsError(`batchNormTrain: x must be float32, got ${x.dtype}`);
  if (hasKernel(BATCH_NORM_TRAIN)) {
    const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN, { x, gamma, beta }, full as unknown as tf.NamedAttrMap) as tf.Tensor[];
    return { y: y as tf.Tensor4D, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
  }
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const scale = tf.mul(tf.rsqrt(tf.add(variance, full.epsilon)), gamma);
    const z = tf.add(tf.mul(tf.sub(x, mean), scale), beta) as tf.Tensor4D;
    return { y: full.relu ? tf.relu(z) : z, mean: withoutGradient(mean) as tf.Tensor1D, variance: withoutGradient(variance) as tf.Tensor1D };
  });
}

/** Identity whose gradient is zero, so the composite path treats batch statistics as the fused one does. */
const withoutGradient = tf.customGrad(((t: tf.Tensor) => ({
  value: tf.clone(t),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as (t: tf.Tensor) => tf.Tensor;

/** Composite backward, used where the fused gradient kernel is absent. */
function compositeGrad(x: tf.Tensor, dy: tf.Tensor, y: tf.Tensor, gamma: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, attrs: BatchNormTrainAttrs): tf.Tensor[] {
  return tf.tidy(() => {
    const m = x.size / x.shape[x.rank - 1];
    const inv = tf.rsqrt(tf.add(variance, attrs.epsilon));
    const xhat = tf.mul(tf.sub(x, mean), inv);
    const dz = attrs.relu ? tf.mul(dy, tf.step(y)) : dy;
    const dbeta = tf.sum(dz, [0, 1, 2]);
    const dgamma = tf.sum(tf.mul(dz, xhat), [0, 1, 2]);
    const inner = tf.sub(tf.sub(tf.mul(dz, m), dbeta), tf.mul(xhat, dgamma));
    return [tf.mul(inner, tf.div(tf.mul(gamma, inv), m)), dgamma, dbeta];
  });
}

/** Gradient of the fused kernel, for every backend that registers the forward kernel. */
export const batchNormTrainGradConfig: tf.GradConfig = {
  kernelName: BATCH_NORM_TRAIN,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [true, true, true],
  gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [x, gamma, y, mean, variance] = saved;
    const dy = Array.isArray(dys) ? dys[0] : dys;
    const a = attrs as unknown as BatchNormTrainAttrs;
    // x, gamma and beta all come from one backward graph, so it runs here, eagerly: the engine runs each
    // input's thunk in its own tidy (which would dispose the siblings), while this body runs in the
    // backward pass's outer tidy, which frees whichever gradient no thunk asks for.
    const [dx, dgamma, dbeta] = hasKernel(BATCH_NORM_TRAIN_GRAD)
      ? (tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, { x, dy, y, gamma, mean, variance }, attrs) as tf.Tensor[])
      : compositeGrad(x, dy, y, gamma, mean, variance, a);
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
  },
};
