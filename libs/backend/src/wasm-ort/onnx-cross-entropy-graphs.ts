import { OnnxGraphBuilder } from '../onnx/onnx-graph-builder';

/**
 * Mean softmax cross-entropy over the rows of logits [M, C] whose label (float-coded class index) is not the
 * ignore label, and its gradient, each as one onnxruntime graph (log-softmax, gather, masks, reductions).
 */
function labelMasks(b: OnnxGraphBuilder, classes: number, ignoreIndex: number) {
  b.addInitializer('ignore', Float32Array.of(ignoreIndex), []);
  b.addInitializer('classIds', Float32Array.from({ length: classes }, (_, i) => i), [classes]);
  b.addInt64Initializer('lastAxis', [1]);
  const valid = b.op('Cast', [b.op('Not', [b.op('Equal', ['labels', 'ignore'])])], { to: 1 }); // [M]
  const labelsCol = b.op('Unsqueeze', ['labels', 'lastAxis']); // [M, 1]
  const oneHot = b.op('Cast', [b.op('Equal', [labelsCol, 'classIds'])], { to: 1 }); // [M, C]; ignore rows all zero
  b.addInitializer('one', Float32Array.of(1), []);
  const count = b.op('Max', [b.op('ReduceSum', [valid], { keepdims: 0 }), 'one']);
  return { valid, oneHot, count };
}

export function buildCrossEntropyForward(b: OnnxGraphBuilder, rows: number, classes: number, ignoreIndex: number) {
  b.addInput('logits', [rows, classes]).addInput('labels', [rows]);
  const { oneHot, count } = labelMasks(b, classes, ignoreIndex);
  const logp = b.op('LogSoftmax', ['logits'], { axis: 1 });
  // Ignored rows have an all-zero one-hot row, so they add nothing.
  const picked = b.op('ReduceSum', [b.op('Mul', [logp, oneHot])], { keepdims: 0 });
  const loss = b.op('Div', [b.op('Neg', [picked]), count]);
  b.addOutput(loss, []);
  return { inputs: ['logits', 'labels'], output: loss };
}

/** dlogits = dloss · (softmax − onehot) · valid / count. */
export function buildCrossEntropyBackward(b: OnnxGraphBuilder, rows: number, classes: number, ignoreIndex: number) {
  b.addInput('logits', [rows, classes]).addInput('labels', [rows]).addInput('dloss', []);
  const { valid, oneHot, count } = labelMasks(b, classes, ignoreIndex);
  const p = b.op('Softmax', ['logits'], { axis: 1 });
  b.addInt64Initializer('colAxis', [1]);
  const rowScale = b.op('Unsqueeze', [b.op('Div', [b.op('Mul', [valid, 'dloss']), count]), 'colAxis']);
  const grad = b.op('Mul', [b.op('Sub', [p, oneHot]), rowScale]);
  b.addOutput(grad, [rows, classes]);
  return { inputs: ['logits', 'labels', 'dloss'], output: grad };
}
