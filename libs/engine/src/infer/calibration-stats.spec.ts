import * as tf from '@tensorflow/tfjs';
import { echoModel } from '@zls/testing';
import { calibratedPrediction, calibrationStats } from './calibration-stats';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Scores are the image's channels: a model that says exactly what the test wants. */
const echo = echoModel(4);

describe('calibrationStats / calibratedPrediction', () => {
  const scores = [
    [3, 1, 2, 0], // seen 0 clearly
    [1, 1.2, 1.1, 0], // seen 1 narrowly over unseen 2
    [0, 0, 0, 5], // unseen 3
  ];
  const seen = [0, 1];
  const unseen = [2, 3];

  it('equals the brute-force argmax of (softmax − γ on seen classes) for every γ', async () => {
    const [stats] = await calibrationStats(echo, tf.tensor4d(scores.flat(), [1, 1, 3, 4]), seen, unseen);
    for (const gamma of [0, 0.05, 0.1, 0.3, 0.6, 0.9, 0.99]) {
      const got = calibratedPrediction(stats, gamma).data;
      scores.forEach((s, p) => {
        const z = s.reduce((a, x) => a + Math.exp(x), 0);
        const adjusted = s.map((x, c) => Math.exp(x) / z - (seen.includes(c) ? gamma : 0));
        const want = adjusted.indexOf(Math.max(...adjusted));
        expect(got[p]).toBe(want);
      });
    }
  });

  it('is the plain argmax at γ = 0 and moves pixels to unseen classes as γ grows', async () => {
    const [stats] = await calibrationStats(echo, tf.tensor4d(scores.flat(), [1, 1, 3, 4]), seen, unseen);
    expect(Array.from(calibratedPrediction(stats, 0).data)).toEqual([0, 1, 3]);
    expect(Array.from(calibratedPrediction(stats, 0.99).data)).toEqual([2, 2, 3]);
  });
});
