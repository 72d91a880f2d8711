import * as tf from '@tensorflow/tfjs';
import { SeededRng } from '@zls/core';
import { calibratedProbabilities, embeddingScores } from './embedding-scores';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomArray(rng: SeededRng, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => rng.normal());
}

describe('embeddingScores', () => {
  it('equals a float64 dot product per pixel and class', () => {
    const rng = new SeededRng(3);
    const [n, h, w, d, c] = [2, 3, 5, 7, 4];
    const f = randomArray(rng, n * h * w * d);
    const e = randomArray(rng, c * d);
    const got = embeddingScores(tf.tensor4d(Float32Array.from(f), [n, h, w, d]), tf.tensor2d(Float32Array.from(e), [c, d]));
    expect(got.shape).toEqual([n, h, w, c]);
    const values = got.dataSync();
    for (let p = 0; p < n * h * w; p++) {
      for (let k = 0; k < c; k++) {
        let ref = 0;
        for (let j = 0; j < d; j++) ref += f[p * d + j] * e[k * d + j];
        expect(values[p * c + k]).toBeCloseTo(ref, 4);
      }
    }
  });

  it('refuses embeddings of the wrong dimension', () => {
    expect(() => embeddingScores(tf.zeros([1, 1, 1, 3]) as tf.Tensor4D, tf.zeros([2, 4]) as tf.Tensor2D)).toThrow(/3 channels .* 4 dimensions/);
  });
});

describe('calibratedProbabilities', () => {
  it('subtracts gamma from the seen-class softmax probabilities only', () => {
    const scores = [2, 1, 0.5, -1];
    const z = scores.reduce((a, s) => a + Math.exp(s), 0);
    const probs = scores.map((s) => Math.exp(s) / z);
    const got = calibratedProbabilities(tf.tensor4d(scores, [1, 1, 1, 4]), [0, 2], 0.3).dataSync();
    expect(got[0]).toBeCloseTo(probs[0] - 0.3, 6);
    expect(got[1]).toBeCloseTo(probs[1], 6);
    expect(got[2]).toBeCloseTo(probs[2] - 0.3, 6);
    expect(got[3]).toBeCloseTo(probs[3], 6);
  });

  it('can flip the decision from a seen to an unseen class', () => {
    const scores = tf.tensor4d([3, 2.5], [1, 1, 1, 2]);
    expect(tf.argMax(calibratedProbabilities(scores, [0], 0), -1).dataSync()[0]).toBe(0);
    expect(tf.argMax(calibratedProbabilities(scores, [0], 0.5), -1).dataSync()[0]).toBe(1);
  });
});
