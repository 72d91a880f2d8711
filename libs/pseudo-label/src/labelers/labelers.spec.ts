import * as tf from '@tensorflow/tfjs';
import { IGNORE_INDEX as I, Registries, type LabelMap, type PseudoLabeler, type SegmentationModel } from '@zls/core';
import { echoModel } from '@zls/testing';
import { registerPseudoLabelComponents } from '../register';
import { viewSet } from '../views/view-scores';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A generator whose score for class c at a pixel is image channel c: labels follow the pixel's colour. */
const colourGenerator = echoModel;

/** A generator that ignores the image: unseen class 2 on the left half of its input, class 3 on the right. */
const leftRightGenerator: SegmentationModel = {
  numClasses: 4,
  forward: (images, _t, classes = [0, 1, 2, 3]) =>
    tf.tidy(() => {
      const [n, h, w] = images.shape;
      const left = tf.concat([tf.ones([n, h, Math.floor(w / 2), 1]), tf.zeros([n, h, w - Math.floor(w / 2), 1])], 2);
      const right = tf.sub(1, left);
      const all = tf.concat([tf.zerosLike(left), tf.zerosLike(left), left, right], 3);
      return tf.gather(all, Array.from(classes), 3) as tf.Tensor4D;
    }),
  trainable: () => [],
  stateVariables: () => ({}),
  dispose: () => undefined,
};

function build(type: string, options: Record<string, unknown> = {}): PseudoLabeler {
  const registries = new Registries();
  registerPseudoLabelComponents(registries);
  return registries.pseudoLabeler.build({ type, ...options }, 'pseudoLabel');
}

// A 1×4×4 image whose channels 2 and 3 make the left columns class 2 and the right ones class 3;
// channel 0 (a seen class) is strongest everywhere, which an unseen-only argmax must ignore.
const h = 4;
const w = 4;
const pixels: number[] = [];
for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) pixels.push(9, 0, x < 2 ? 1 : 0, x < 2 ? 0 : 1);
const images = () => tf.tensor4d(pixels, [1, h, w, 4]);
// Targets: the top row is human-labelled (seen class 0): not a candidate.
const target: LabelMap = { data: Uint8Array.from({ length: 16 }, (_, p) => (p < 4 ? 0 : I)), height: h, width: w };
const expected = Uint8Array.from({ length: 16 }, (_, p) => (p < 4 ? I : p % 4 < 2 ? 2 : 3));

describe('pseudo-labelers', () => {
  it('argmax labels every candidate with its best unseen class and leaves labelled pixels alone', async () => {
    const labeler = build('argmax');
    const proposals = await labeler.propose({ generator: colourGenerator(4), images: images(), targets: [target], unseenIndices: [2, 3] });
    expect(labeler.select(proposals)[0].data).toEqual(expected);
  });

  it('consistency keeps labels on which identity, mirror and rescaled views agree', async () => {
    const labeler = build('consistency', { scales: [1.5, 2], flip: true });
    const proposals = await labeler.propose({ generator: colourGenerator(4), images: images(), targets: [target], unseenIndices: [2, 3] });
    expect(labeler.select(proposals)[0].data).toEqual(expected);
  });

  it('consistency maps mirrored views back before comparing: a position-biased generator agrees with nothing', async () => {
    const flipOnly = build('consistency', { scales: [], flip: true });
    const proposals = await flipOnly.propose({ generator: leftRightGenerator, images: images(), targets: [target], unseenIndices: [2, 3] });
    // Un-mirrored, the mirror view says "3" where the identity says "2" and vice versa: every label is dropped.
    expect(Array.from(flipOnly.select(proposals)[0].data).every((v) => v === I)).toBe(true);
    // Without the mirror the same generator's labels survive (the identity view alone).
    const noViews = build('consistency', { scales: [], flip: false });
    const kept = noViews.select(await noViews.propose({ generator: leftRightGenerator, images: images(), targets: [target], unseenIndices: [2, 3] }));
    expect(kept[0].data).toEqual(expected);
  });

  it('top-p keeps the most confident fraction of each class over all proposals', async () => {
    const labeler = build('top-p', { fraction: 0.5 });
    // Confidence falls from left to right within each class region.
    const graded: number[] = [];
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) graded.push(0, 0, x < 2 ? 3 - x - y * 0.1 : 0, x < 2 ? 0 : 1 + (w - x) + y * 0.1);
    const proposals = await labeler.propose({ generator: colourGenerator(4), images: tf.tensor4d(graded, [1, h, w, 4]), targets: [target], unseenIndices: [2, 3] });
    const labels = labeler.select(proposals)[0].data;
    const count = (c: number) => labels.filter((v) => v === c).length;
    expect(count(2)).toBe(3); // half of the 6 candidate pixels of each class
    expect(count(3)).toBe(3);
    expect(labels[4]).toBe(2); // the most confident class-2 pixel (x = 0, first candidate row)
  });

  it('none proposes nothing', async () => {
    const labeler = build('none');
    const proposals = await labeler.propose({ generator: colourGenerator(4), images: images(), targets: [target], unseenIndices: [2, 3] });
    expect(Array.from(labeler.select(proposals)[0].data).every((v) => v === I)).toBe(true);
  });

  it('say whether they select per sample: a whole-set pass streams those, and holds every proposal for top-p', async () => {
    const flags = Object.fromEntries(['argmax', 'consistency', 'none', 'top-p'].map((t) => [t, build(t).selectsPerSample ?? false]));
    expect(flags).toEqual({ argmax: true, consistency: true, none: true, 'top-p': false });
    // Per sample means per sample: selecting two proposals together or one at a time gives the same labels.
    for (const type of ['argmax', 'consistency']) {
      const labeler = build(type);
      const proposals = await labeler.propose({ generator: colourGenerator(4), images: tf.concat([images(), tf.reverse(images(), 2)]), targets: [target, target], unseenIndices: [2, 3] });
      const together = labeler.select(proposals).map((m) => Array.from(m.data));
      expect(proposals.map((p) => Array.from(labeler.select([p])[0].data))).toEqual(together);
    }
  });

  it('builds the paper view set: identity, mirror, and each up-scale with and without mirror', () => {
    expect(viewSet([1.5, 1.75], true)).toEqual([
      { scale: 1, flip: false },
      { scale: 1, flip: true },
      { scale: 1.5, flip: false },
      { scale: 1.5, flip: true },
      { scale: 1.75, flip: false },
      { scale: 1.75, flip: true },
    ]);
  });

  it('validates its options with the config path', () => {
    expect(() => build('top-p', { fraction: 0 })).toThrow(/pseudoLabel\.fraction: must not be less than 0\.001/);
  });
});

describe('the rule each labeler names in the tables', () => {
  it('says which views must agree, and what plain self-training does', () => {
    expect(build('consistency', { scales: [1.5, 1.75], flip: true }).rule).toBe(
      'unseen argmax kept where all 6 views agree (identity, mirror, ×1.5, ×1.5+mirror, ×1.75, ×1.75+mirror)',
    );
    expect(build('consistency', { scales: [0.5], flip: false }).rule).toBe('unseen argmax kept where all 2 views agree (identity, ×0.5)');
    expect(build('argmax').rule).toBe('argmax over unseen classes, every candidate');
    expect(build('none').rule).toBe('no pseudo-labels');
  });
});
