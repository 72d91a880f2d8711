import * as tf from '@tensorflow/tfjs';
import { batchNormTrainGradConfig } from '../fused/batch-norm-relu';
import { softmaxCrossEntropyGradConfig } from '../fused/softmax-cross-entropy';
import { conv2DGradConfig } from './conv2d-gradient';
import { resizeBilinearGradConfig } from './resize-bilinear';

let registered = false;

/**
 * Registers the gradients zls replaces or adds, for every backend: Conv2D (dilation > 1) and ResizeBilinear
 * (exact adjoint for every convention), and the fused training batch norm and cross-entropy. Idempotent; must run after `@tensorflow/tfjs` registered its own.
 */
export function registerZlsGradients(): void {
  if (registered) return;
  registered = true;
  for (const config of [conv2DGradConfig, resizeBilinearGradConfig, batchNormTrainGradConfig, softmaxCrossEntropyGradConfig]) tf.registerGradient(config);
}
