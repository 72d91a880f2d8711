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
import { labelTrainingSet } from './label-training-set';
import { flipLabelMap } from './mix-targets';
import { cachedTargets, onlineTargets } from './target-providers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Pixel-wise generator: the score of class c is image channel c (so it commutes with a flip). */
const echo = echoModel(4);

/** Argmax over the unseen classes on candidate pixels (a minimal labeler for engine-level tests). */
const argmaxLabeler: PseudoLabeler = {
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

function flipImage(img: Float32Array): Float32Array {
  const out = new Float32Array(img.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 4; c++) out[(y * w + x) * 4 + c] = img[(y * w + (w - 1 - x)) * 4 + c];
  return out;
}

function batchOf(chosen: typeof samples, flips: boolean[]): TrainingBatch {
  const images = new Float32Array(chosen.length * h * w * 4);
  chosen.forEach((s, i) => images.set(flips[i] ? flipImage(s.image) : s.image, i * h * w * 4));
  const targets = chosen.map((s, i) => (flips[i] ? flipLabelMap(s.target) : s.target));
  return { ids: chosen.map((s) => s.id), images, shape: [chosen.length, h, w, 4], targets, hidden: targets, flipped: flips };
}

async function* unaugmented(): AsyncIterable<TrainingBatch> {
  yield batchOf(samples.slice(0, 2), [false, false]);
  yield batchOf(samples.slice(2), [false]);
}

describe('cached and online pseudo-labelling', () => {
  it('agree under flip-only augmentation', async () => {
    const labelled = await labelTrainingSet(echo, argmaxLabeler, unaugmented(), [2, 3]);
    expect(labelled.map((l) => l.id)).toEqual(['img1', 'img2', 'img3']);
    const cached = cachedTargets(labelled);
    const online = onlineTargets(echo, argmaxLabeler, [2, 3]);
    for (const flips of [[false, true, false], [true, true, true], [true, false, true]]) {
      const batch = batchOf(samples, flips);
      const a = await cached(batch);
      const b = await online(batch);
      expect(a.map((m) => Array.from(m.data))).toEqual(b.map((m) => Array.from(m.data)));
    }
  });

  it('keeps human labels and fills only candidates', async () => {
    const labelled = await labelTrainingSet(echo, argmaxLabeler, unaugmented(), [2, 3]);
    const [mixed] = await cachedTargets(labelled)(batchOf([samples[0]], [false]));
    samples[0].target.data.forEach((v, p) => {
      if (v !== I) expect(mixed.data[p]).toBe(v);
      else expect([2, 3]).toContain(mixed.data[p]);
    });
  });

  it('names an image that has no cached labels', async () => {
    const provider = cachedTargets([]);
    await expect(provider(batchOf([samples[0]], [false]))).rejects.toThrow(/no cached pseudo-labels for training image img1/);
  });
});
