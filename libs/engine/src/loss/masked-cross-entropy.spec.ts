import * as tf from '@tensorflow/tfjs';
import { IGNORE_INDEX as I, TrainSection } from '@zls/core';
import { maskedCrossEntropy, multiScaleCrossEntropy, targetPositions } from './masked-cross-entropy';
import { stageFromConfig } from '../run/stage-from-config';

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

describe('multiScaleCrossEntropy (SPNet: one term per output, targets nearest to its grid)', () => {
  /** float64 mean of −log softmax at `labels` (−1 ignored) over rows of `scores`. */
  const ce = (scores: number[][], labels: number[]) => {
    let sum = 0;
    let count = 0;
    scores.forEach((s, p) => {
      if (labels[p] < 0) return;
      sum += Math.log(s.reduce((a, x) => a + Math.exp(x), 0)) - s[labels[p]];
      count++;
    });
    return count ? sum / count : 0;
  };

  it('sums the masked mean of each output, each against the targets resized by the OpenCV nearest rule', () => {
    // Targets 4×4; outputs on a 4×4, a 2×2 (rows/columns 0 and 2) and a 3×3 grid (rows/columns 0, 1, 2).
    const positions = Int32Array.from([0, 1, -1, 1, 1, 0, 0, -1, 1, 1, 0, 0, -1, 0, 1, 1]);
    const at = (r: number, c: number) => positions[r * 4 + c];
    const full = Array.from({ length: 16 }, (_, i) => [Math.sin(i), Math.cos(i * 1.3)]);
    const half = Array.from({ length: 4 }, (_, i) => [0.5 * i, -0.25 * i]);
    const three = Array.from({ length: 9 }, (_, i) => [Math.cos(i), 0.1 * i]);
    const expected =
      ce(full, Array.from(positions)) + ce(half, [at(0, 0), at(0, 2), at(2, 0), at(2, 2)]) + ce(three, [0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => at(r, c))));
    const outputs = [tf.tensor4d(full.flat(), [1, 4, 4, 2]), tf.tensor4d(half.flat(), [1, 2, 2, 2]), tf.tensor4d(three.flat(), [1, 3, 3, 2])];
    expect(multiScaleCrossEntropy(outputs, positions, [1, 4, 4]).dataSync()[0]).toBeCloseTo(expected, 5);
    expect(() => multiScaleCrossEntropy([], positions, [1, 4, 4])).toThrow(/no outputs/);
    tf.dispose(outputs);
  });

  it('only the supervised stages (round 0) train multi-scale; students do not', () => {
    expect(stageFromConfig('spnet', 0, new TrainSection(), [0, 1]).multiScale).toBe(true);
    expect(stageFromConfig('round-1', 1, new TrainSection(), [0, 1]).multiScale).toBe(false);
  });
});
