import * as tf from '@tensorflow/tfjs';
import { IGNORE_INDEX as I, Registries, type LabelMap, type PseudoLabelRequest, type SegmentationModel } from '@zls/core';
import { registerPseudoLabelComponents } from '../register';
import { TopPLabeler } from './top-p-labeler';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Classes 0 and 1 are seen, 2 and 3 unseen. Pixels 0 and 3 have a strong seen-class score: among the unseen
// classes alone they look the most confident of their class, among all classes the least.
const SCORES: readonly (readonly number[])[] = [
  [5, 0, 2, 0], // class 2; unseen-only softmax 0.881, all-class softmax 0.047
  [0, 0, 1, 0], // class 2; unseen-only softmax 0.731, all-class softmax 0.475
  [0, 0, 0, 3], // class 3; unseen-only softmax 0.953, all-class softmax 0.870
  [4, 0, 0, 3.5], // class 3; unseen-only softmax 0.971, all-class softmax 0.369
];
const UNSEEN = [2, 3];

/** A generator that ignores its input and returns SCORES on a 1×2×2 grid, restricted to the classes asked for. */
const fixedScoreGenerator: SegmentationModel = {
  numClasses: 4,
  forward: (_images, _training, classes = [0, 1, 2, 3]) =>
    tf.tidy(() => tf.gather(tf.tensor4d(SCORES.flat(), [1, 2, 2, 4]), Array.from(classes), 3) as tf.Tensor4D),
  trainable: () => [],
  stateVariables: () => ({}),
  dispose: () => undefined,
};

/** Every pixel is a candidate: no human label. */
const target: LabelMap = { data: new Uint8Array(4).fill(I), height: 2, width: 2 };
const request = (): PseudoLabelRequest => ({ generator: fixedScoreGenerator, images: tf.zeros([1, 2, 2, 3]), targets: [target], unseenIndices: UNSEEN });

/** Float64 softmax of `scores` restricted to `classes`, at class `at`. */
function softmaxAt(scores: readonly number[], classes: readonly number[], at: number): number {
  const sum = classes.reduce((a, c) => a + Math.exp(scores[c]), 0);
  return Math.exp(scores[at]) / sum;
}

function build(options: Record<string, unknown>): TopPLabeler {
  const registries = new Registries();
  registerPseudoLabelComponents(registries);
  return registries.pseudoLabeler.build({ type: 'top-p', ...options }, 'pseudoLabel') as TopPLabeler;
}

const ALL = [0, 1, 2, 3];
const LABELS = [2, 2, 3, 3];

describe('top-p ranking', () => {
  it('all-classes: labels by the unseen argmax, confidence is the softmax over all classes at that label', async () => {
    const [proposal] = await build({ fraction: 0.5, rankBy: 'all-classes' }).propose(request());
    expect(Array.from(proposal.labels.data)).toEqual(LABELS);
    SCORES.forEach((s, p) => expect(proposal.confidence[p]).toBeCloseTo(softmaxAt(s, ALL, LABELS[p]), 6));
  });

  it('unseen-classes: the same labels, confidence is the softmax among unseen classes', async () => {
    const [proposal] = await build({ fraction: 0.5, rankBy: 'unseen-classes' }).propose(request());
    expect(Array.from(proposal.labels.data)).toEqual(LABELS);
    SCORES.forEach((s, p) => expect(proposal.confidence[p]).toBeCloseTo(softmaxAt(s, UNSEEN, LABELS[p]), 6));
  });

  it('the two rankings keep different pixels', async () => {
    const keep = async (rankBy: string) => {
      const labeler = build({ fraction: 0.5, rankBy });
      return Array.from(labeler.select(await labeler.propose(request()))[0].data);
    };
    // Half of each class's two pixels: the all-class ranking drops the pixels a seen class also claims.
    expect(await keep('all-classes')).toEqual([I, 2, 3, I]);
    expect(await keep('unseen-classes')).toEqual([2, I, I, 3]);
  });

  it('ranks over all classes by default, and says so in its rule', async () => {
    const labeler = build({ fraction: 0.5 });
    expect(Array.from(labeler.select(await labeler.propose(request()))[0].data)).toEqual([I, 2, 3, I]);
    expect(labeler.rule).toBe('top-p 50 % per class, ranked by softmax over all classes');
    expect(build({}).rule).toBe('top-p 25 % per class, ranked by softmax over all classes');
    expect(build({ fraction: 0.07, rankBy: 'unseen-classes' }).rule).toBe('top-p 7 % per class, ranked by softmax over unseen classes');
  });

  it('rejects an unknown ranking with the config path', () => {
    expect(() => build({ rankBy: 'seen-classes' })).toThrow(/pseudoLabel\.rankBy/);
  });
});
