import * as tf from '@tensorflow/tfjs';
import { IGNORE_INDEX as I } from '@zls/core';
import { maskedCrossEntropy, targetPositions } from './masked-cross-entropy';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('targetPositions', () => {
  it('maps output indices to positions in the visible classes and everything else to -1', () => {
    const { positions, valid } = targetPositions([{ data: Uint8Array.of(4, 2, I, 7), height: 2, width: 2 }], [2, 4]);
    expect(Array.from(positions)).toEqual([1, 0, -1, -1]);
    expect(valid).toBe(2);
  });
});

describe('maskedCrossEntropy', () => {
  it('equals a float64 mean of −log softmax over valid pixels only', () => {
    const scores = [
      [1, 2, 0.5],
      [0, 0, 0],
      [3, -1, 2],
      [-2, 4, 1],
    ];
    const positions = Int32Array.of(1, -1, 0, 2);
    let sum = 0;
    let count = 0;
    scores.forEach((s, p) => {
      if (positions[p] < 0) return;
      const lse = Math.log(s.reduce((a, x) => a + Math.exp(x), 0));
      sum += lse - s[positions[p]];
      count++;
    });
    const loss = maskedCrossEntropy(tf.tensor4d(scores.flat(), [1, 2, 2, 3]), positions, 3);
    expect(loss.dataSync()[0]).toBeCloseTo(sum / count, 5);
  });

  it('is zero with no valid pixel and has zero gradient on ignored pixels', () => {
    const scores = tf.variable(tf.tensor4d([1, 2, 3, 4], [1, 1, 2, 2]));
    expect(maskedCrossEntropy(scores, Int32Array.of(-1, -1), 0).dataSync()[0]).toBeCloseTo(0, 12);
    const g = tf.grad((s: tf.Tensor) => maskedCrossEntropy(s as tf.Tensor4D, Int32Array.of(0, -1), 1))(scores).dataSync();
    expect(g[2]).toBeCloseTo(0, 12);
    expect(g[3]).toBeCloseTo(0, 12);
    expect(g[0]).toBeLessThan(0);
  });
});
