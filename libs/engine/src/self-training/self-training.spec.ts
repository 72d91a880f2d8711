import * as tf from '@tensorflow/tfjs';
import {
  IGNORE_INDEX as I,
  SeededRng,
  type LabelMap,
  type PseudoLabeler,
  type PseudoLabelProposal,
  type TrainingBatch,
} from '@zls/core';
import { echoModel } from '@zls/testing';
import { forEachLabelled, labelTrainingSet } from './label-training-set';
import { onlineTargets } from './target-providers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Pixel-wise generator: the score of class c is image channel c (so it commutes with a flip). */
const echo = echoModel(4);

/** Argmax over the unseen classes on candidate pixels (a minimal labeler for engine-level tests). */
const argmaxLabeler: PseudoLabeler = {
  rule: 'argmax (test double)',
  name: 'test-argmax',
  async propose({ generator, images, targets, unseenIndices }) {
    const scores = generator.forward(images, false, unseenIndices);
    const arg = (await tf.argMax(scores, 3).data()) as Int32Array;
    scores.dispose();
    const size = targets[0].data.length;
    return targets.map((t, i): PseudoLabelProposal => ({
      labels: { data: t.data.map((v, p) => (v === I ? unseenIndices[arg[i * size + p]] : I)), height: t.height, width: t.width },
      confidence: new Float32Array(size),
    }));
  },
  select: (proposals) => proposals.map((p) => p.labels),
};

const [h, w] = [3, 5];
function sample(seed: number): { id: string; image: Float32Array; target: LabelMap } {
  const rng = new SeededRng(seed);
  const image = Float32Array.from({ length: h * w * 4 }, () => rng.next());
  const target = { data: Uint8Array.from({ length: h * w }, () => (rng.next() < 0.5 ? I : rng.int(0, 1))), height: h, width: w };
  return { id: `img${seed}`, image, target };
}
const samples = [1, 2, 3].map(sample);

function batchOf(chosen: typeof samples): TrainingBatch {
  const images = new Float32Array(chosen.length * h * w * 4);
  chosen.forEach((s, i) => images.set(s.image, i * h * w * 4));
  const targets = chosen.map((s) => s.target);
  return { ids: chosen.map((s) => s.id), images, shape: [chosen.length, h, w, 4], targets, hidden: targets };
}

async function* unaugmented(): AsyncIterable<TrainingBatch> {
  yield batchOf(samples.slice(0, 2));
  yield batchOf(samples.slice(2));
}

// Cached and online labelling are compared end to end, through the data library's loader, in
// libs/runtime/src/run/cached-vs-online.spec.ts.
describe('labelTrainingSet and onlineTargets', () => {
  it('label the whole set once, in order, and fill only candidate pixels', async () => {
    const labelled = await labelTrainingSet(echo, argmaxLabeler, unaugmented(), [2, 3]);
    expect(labelled.map((l) => l.id)).toEqual(['img1', 'img2', 'img3']);
    const [mixed] = await onlineTargets(echo, argmaxLabeler, [2, 3])(batchOf([samples[0]]));
    samples[0].target.data.forEach((v, p) => {
      if (v !== I) expect(mixed.data[p]).toBe(v);
      else expect(mixed.data[p]).toBe(labelled[0].pseudo.data[p]);
    });
  });

  it('stream a per-sample labeler batch by batch, and give a whole-set labeler every proposal at once', async () => {
    const events: string[] = [];
    async function* logged(): AsyncIterable<TrainingBatch> {
      for await (const b of unaugmented()) {
        events.push(`batch ${b.ids.join(',')}`);
        yield b;
      }
    }
    const perSample: PseudoLabeler = { ...argmaxLabeler, selectsPerSample: true };
    await forEachLabelled(echo, perSample, logged(), [2, 3], (s) => events.push(s.id));
    expect(events).toEqual(['batch img1,img2', 'img1', 'img2', 'batch img3', 'img3']);

    events.length = 0;
    const sizes: number[] = [];
    const wholeSet: PseudoLabeler = { ...argmaxLabeler, select: (ps) => (sizes.push(ps.length), ps.map((p) => p.labels)) };
    await forEachLabelled(echo, wholeSet, logged(), [2, 3], (s) => events.push(s.id));
    expect(events).toEqual(['batch img1,img2', 'batch img3', 'img1', 'img2', 'img3']);
    expect(sizes).toEqual([3]);
    // Both routes give the same labels.
    const a = await labelTrainingSet(echo, perSample, unaugmented(), [2, 3]);
    const b = await labelTrainingSet(echo, wholeSet, unaugmented(), [2, 3]);
    expect(a.map((l) => Array.from(l.pseudo.data))).toEqual(b.map((l) => Array.from(l.pseudo.data)));
  });
});
