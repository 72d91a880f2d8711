import * as tf from '@tensorflow/tfjs';
import { OnnxGraphBuilder, type OnnxGraphIR, type ParameterSpec } from '@zls/backend';
import { EMBEDDING_DIM, LAYERS, NUM_CLASSES, Params } from './reference-model';

const LAYER = new Map(LAYERS.map((l) => [l.name, l]));

function layer(name: string) {
  const l = LAYER.get(name);
  if (!l) throw new Error(`unknown layer ${name}`);
  return l;
}

/** tfjs HWIO → ONNX OIHW, each output channel scaled by `scale[co]`. */
function oihw(p: Params, name: string, scale: ArrayLike<number>): { w: Float32Array; dims: number[] } {
  const l = layer(name);
  const hwio = p[`${name}.w`].dataSync();
  const w = new Float32Array(hwio.length);
  for (let i = 0; i < l.k; i++)
    for (let j = 0; j < l.k; j++)
      for (let ci = 0; ci < l.cin; ci++)
        for (let co = 0; co < l.cout; co++) w[((co * l.cin + ci) * l.k + i) * l.k + j] = hwio[((i * l.k + j) * l.cin + ci) * l.cout + co] * scale[co];
  return { w, dims: [l.cout, l.cin, l.k, l.k] };
}

/**
 * `inference`: batch norm folded into the convolutions (running mean 0, variance 1), Expand for the image-pooling
 * broadcast, NCHW log-probabilities out. `training`: unfolded convolutions followed by BatchNormalization nodes
 * whose scale, shift, running mean (0) and variance (1) are initializers (a training graph runs them with batch
 * statistics when their scale trains), the image-pooling broadcast as an Add with zeros (Expand has no gradient
 * rule), and the upsampled scores before log-softmax, transposed to NHWC, as the output `scores` (the training
 * graph's loss reads the NCHW value under the transpose).
 */
export type ReferenceGraphMode = 'inference' | 'training';

/** The reference net as an OnnxGraphBuilder (NHWC `images` in, symbolic batch). */
export function referenceOnnxGraph(p: Params, embeddings: tf.Tensor2D, height: number, width: number, mode: ReferenceGraphMode = 'inference'): OnnxGraphBuilder {
  const g = new OnnxGraphBuilder('reference-model');
  g.addInput('images', ['batch', height, width, 3]);
  const conv = (name: string, x: string, relu = true) => {
    const l = layer(name);
    const pad = (l.dilation * (l.k - 1)) >> 1;
    const attrs = {
      kernel_shape: [l.k, l.k],
      strides: [l.stride, l.stride],
      dilations: [l.dilation, l.dilation],
      // TensorFlow 'same' with stride 2 on even sizes pads (0 before, 1 after); stride 1 pads symmetrically.
      pads: l.stride === 2 && l.k === 3 ? [0, 0, 1, 1] : [pad, pad, pad, pad],
    };
    let y: string;
    if (mode === 'training' && l.bn) {
      const { w, dims } = oihw(p, name, new Array(l.cout).fill(1));
      g.addInitializer(`${name}.w`, w, dims);
      g.addInitializer(`${name}.gamma`, Float32Array.from(p[`${name}.gamma`].dataSync()), [l.cout]);
      g.addInitializer(`${name}.beta`, Float32Array.from(p[`${name}.beta`].dataSync()), [l.cout]);
      g.addInitializer(`${name}.mean`, new Float32Array(l.cout), [l.cout]);
      g.addInitializer(`${name}.var`, new Float32Array(l.cout).fill(1), [l.cout]);
      const c = g.op('Conv', [x, `${name}.w`], attrs);
      // ONNX momentum is the old running value's weight (PyTorch's 0.1 on the new one).
      y = g.op('BatchNormalization', [c, `${name}.gamma`, `${name}.beta`, `${name}.mean`, `${name}.var`], { epsilon: { float: 1e-5 }, momentum: { float: 0.9 } });
    } else {
      const scale = l.bn ? Array.from(p[`${name}.gamma`].dataSync(), (s) => s / Math.sqrt(1 + 1e-5)) : new Array(l.cout).fill(1);
      const { w, dims } = oihw(p, name, scale);
      const b = Float32Array.from(l.bn ? p[`${name}.beta`].dataSync() : p[`${name}.b`].dataSync());
      // In training mode only the projection (`embed`, no batch norm) gets here: its `.w`, `.b` are tfjs' own.
      g.addInitializer(`${name}.w`, w, dims).addInitializer(`${name}.b`, b, [l.cout]);
      y = g.op('Conv', [x, `${name}.w`, `${name}.b`], attrs);
    }
    return relu ? g.op('Relu', [y]) : y;
  };
  let x = g.op('Transpose', ['images'], { perm: [0, 3, 1, 2] });
  x = conv('stem1', x);
  x = conv('stem2', x);
  const low = conv('low', x);
  x = g.op('Relu', [g.op('Add', [conv('res2', conv('res1', low), false), low])]);
  x = conv('down', x);
  x = conv('dil2', x);
  const a1 = conv('aspp1', x);
  const pooled = conv('asppPool', g.op('ReduceMean', [x], { axes: [2, 3], keepdims: 1 }));
  let spread: string;
  if (mode === 'training') {
    // Three stride-2 'same' convolutions: ceil(size / 8).
    const [ah, aw] = [height, width].map((s) => Math.ceil(Math.ceil(Math.ceil(s / 2) / 2) / 2));
    g.addInitializer('asppPool.zeros', new Float32Array(64 * ah * aw), [1, 64, ah, aw]);
    spread = g.op('Add', [pooled, 'asppPool.zeros']);
  } else {
    spread = g.op('Expand', [pooled, g.op('Shape', [a1])]);
  }
  x = g.op('Concat', [a1, conv('aspp6', x), conv('aspp12', x), spread], { axis: 1 });
  x = conv('asppProject', x);
  g.addInitializer('up2', Float32Array.of(1, 1, 2, 2), [4]);
  x = g.op('Resize', [x, '', 'up2'], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' });
  x = g.op('Concat', [x, conv('lowReduce', low)], { axis: 1 });
  x = conv('decoder', x);
  const emb = conv('embed', x, false);
  // Scores against fixed embeddings: a 1×1 convolution whose weights are the embedding columns (a training
  // graph fuses it with the projection into one 1×1 convolution with weight E·W, bias E·b).
  const e = embeddings.dataSync();
  const scoreW = new Float32Array(NUM_CLASSES * EMBEDDING_DIM);
  for (let d = 0; d < EMBEDDING_DIM; d++) for (let k = 0; k < NUM_CLASSES; k++) scoreW[k * EMBEDDING_DIM + d] = e[d * NUM_CLASSES + k];
  g.addInitializer('classEmbeddings', scoreW, [NUM_CLASSES, EMBEDDING_DIM, 1, 1]);
  const scores = g.op('Conv', [emb, 'classEmbeddings'], { kernel_shape: [1, 1] });
  g.addInitializer('up4', Float32Array.of(1, 1, 4, 4), [4]);
  const logits = g.op('Resize', [scores, '', 'up4'], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' });
  if (mode === 'training') {
    g.addNode('Transpose', [logits], ['scores'], { perm: [0, 2, 3, 1] });
    g.addOutput('scores', ['batch', height, width, NUM_CLASSES]);
  } else {
    g.addOutput(g.op('LogSoftmax', [logits], { axis: 1 }), ['batch', NUM_CLASSES, height, width]);
  }
  return g;
}

/**
 * The reference model's inference graph as ONNX: NHWC images in (symbolic batch), NCHW log-probabilities out.
 * Stands in for the whole-model export the model layers will provide.
 */
export function exportReferenceOnnx(p: Params, embeddings: tf.Tensor2D, height: number, width: number): Uint8Array {
  return referenceOnnxGraph(p, embeddings, height, width, 'inference').toBytes();
}

/**
 * The reference net's forward for a training graph: its IR (parameters as float initializers named as tfjs'
 * variables, NHWC `scores` out, no log-softmax) and every tfjs variable as a trained parameter (no weight decay,
 * learning-rate multiplier 1, as `tf.train.momentum` trains them).
 */
export function referenceTrainingForward(p: Params, embeddings: tf.Tensor2D, height: number, width: number): { forward: OnnxGraphIR; scores: string; parameters: ParameterSpec[] } {
  const forward = referenceOnnxGraph(p, embeddings, height, width, 'training').ir();
  const names = new Set(forward.initializers.map((i) => i.name));
  const parameters = Object.keys(p).map((name) => {
    if (!names.has(name)) throw new Error(`training export: variable ${name} is not an initializer`);
    return { name, lrMultiplier: 1, weightDecay: 0 };
  });
  return { forward, scores: 'scores', parameters };
}
