import * as tf from '@tensorflow/tfjs';
import { IGNORE_INDEX, Registries, type LabelMap, type SegmentationModel } from '@zls/core';
import { plugin } from './plugin';
import type { ConfidenceThresholdLabeler } from './confidence-threshold-labeler';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A generator whose scores for classes [2, 3] are fixed per pixel (1 × 1 × 3 image). */
function generator(scores: number[][]): SegmentationModel {
  return {
    numClasses: 4,
    forward: (_images: tf.Tensor4D, _training: boolean, classes?: readonly number[]) => {
      expect(classes).toEqual([2, 3]);
      return tf.tensor4d(scores.flat(), [1, 1, scores.length, 2]);
    },
  } as unknown as SegmentationModel;
}

function labeler(threshold: number): ConfidenceThresholdLabeler {
  const registries = new Registries();
  plugin.register(registries);
  return registries.pseudoLabeler.build({ type: 'confidence-threshold', threshold }, 'selfTraining.labeler') as ConfidenceThresholdLabeler;
}

const target: LabelMap = { data: Uint8Array.from([IGNORE_INDEX, IGNORE_INDEX, 0]), height: 1, width: 3 };

describe('confidence-threshold plugin labeller', () => {
  it("keeps the unseen-class argmax on candidates whose softmax reaches the threshold", async () => {
    // Pixel 0: p(3) = σ(3) ≈ 0.95; pixel 1: p(2) = σ(0.5) ≈ 0.62; pixel 2 is labelled seen, not a candidate.
    const scores = [[0, 3], [0.5, 0], [0, 9]];
    const l = labeler(0.9);
    const proposals = await l.propose({ generator: generator(scores), images: tf.zeros([1, 1, 3, 3]) as tf.Tensor4D, targets: [target], unseenIndices: [2, 3] });
    expect(Array.from(proposals[0].labels.data)).toEqual([3, 2, IGNORE_INDEX]);
    expect(proposals[0].confidence[0]).toBeCloseTo(1 / (1 + Math.exp(-3)), 5);
    expect(Array.from(l.select(proposals)[0].data)).toEqual([3, IGNORE_INDEX, IGNORE_INDEX]);
    expect(Array.from(labeler(0.5).select(proposals)[0].data)).toEqual([3, 2, IGNORE_INDEX]);
  });

  it('decides per sample and names its rule', () => {
    const l = labeler(0.75);
    expect(l.selectsPerSample).toBe(true);
    expect(l.rule).toMatch(/≥ 0\.75/);
  });

  it('rejects a threshold outside [0, 1] with the config path', () => {
    expect(() => labeler(1.5)).toThrow(/selfTraining\.labeler\.threshold/);
  });
});
