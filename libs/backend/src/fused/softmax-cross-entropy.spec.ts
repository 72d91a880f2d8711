import * as tf from '@tensorflow/tfjs';
import { SeededRng } from '@zls/core';
import { registerZlsGradients } from '../gradients/register-gradients';
import { disableTfjsKernelLeakCheck, randomNaive, relativeMaxError, toTf } from '../testing/naive-helpers';
import { registerWasmOrtBackend, WASM_ORT_BACKEND } from '../wasm-ort/register-wasm-ort-backend';
import { softmaxCrossEntropy } from './softmax-cross-entropy';

/** Float64 loss and gradient from the definitions: mean over kept rows of −log softmax(z)[label]. */
function naive(logits: Float64Array, labels: number[], classes: number, ignore: number) {
  const rows = labels.length;
  const kept = labels.filter((l) => l !== ignore).length;
  let loss = 0;
  const grad = new Float64Array(logits.length);
  for (let r = 0; r < rows; r++) {
    if (labels[r] === ignore) continue;
    const z = logits.subarray(r * classes, (r + 1) * classes);
    const max = Math.max(...z);
    const sum = z.reduce((s, v) => s + Math.exp(v - max), 0);
    loss -= (z[labels[r]] - max - Math.log(sum)) / kept;
    for (let k = 0; k < classes; k++) grad[r * classes + k] = (Math.exp(z[k] - max) / sum - (k === labels[r] ? 1 : 0)) / kept;
  }
  return { loss: kept ? loss : 0, grad };
}

const rng = new SeededRng(33);

beforeAll(() => {
  registerWasmOrtBackend();
  registerZlsGradients();
  disableTfjsKernelLeakCheck();
});

describe.each(['cpu', WASM_ORT_BACKEND])('softmaxCrossEntropy on %s', (backend) => {
  beforeAll(async () => {
    expect(await tf.setBackend(backend)).toBe(true);
  });

  it('matches float64 loss and gradient with ignored pixels, for [N,H,W,C] logits', () => {
    const shape = [2, 3, 4, 5];
    const z = randomNaive(rng, shape);
    z.data.forEach((v, i) => (z.data[i] = Math.fround(v * 4)));
    const labels = Array.from({ length: 24 }, (_, i) => (i % 7 === 3 ? 255 : rng.int(0, 4)));
    const ref = naive(z.data, labels, 5, 255);
    const logits = toTf(z);
    const lab = tf.tensor3d(labels, [2, 3, 4], 'int32');
    const loss = softmaxCrossEntropy(logits, lab);
    expect(Math.abs(loss.dataSync()[0] - ref.loss)).toBeLessThan(1e-5 * Math.max(1, ref.loss));
    const g = tf.grad((l: tf.Tensor) => tf.mul(softmaxCrossEntropy(l, lab), 3))(logits);
    expect(g.shape).toEqual(shape);
    expect(relativeMaxError(g.dataSync(), { data: ref.grad.map((v) => 3 * v), shape })).toBeLessThan(1e-5);
    tf.dispose([logits, lab, loss, g]);
  });

  it('gives 0 loss and 0 gradient when every pixel is ignored, and checks shapes', () => {
    const logits = tf.randomNormal([4, 3]);
    const lab = tf.fill([4], 255, 'int32');
    expect(Math.abs(softmaxCrossEntropy(logits, lab).dataSync()[0])).toBe(0);
    expect(Array.from(tf.grad((l: tf.Tensor) => softmaxCrossEntropy(l, lab))(logits).dataSync()).every((v) => v === 0)).toBe(true);
    expect(() => softmaxCrossEntropy(logits, tf.zeros([3], 'int32'))).toThrow(/must match logits/);
  });
});
