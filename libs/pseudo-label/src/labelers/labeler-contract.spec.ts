import * as tf from '@tensorflow/tfjs';
import { Registries, type PseudoLabeler } from '@zls/core';
import { describeLabelerContract } from '@zls/testing';
import { registerPseudoLabelComponents } from '../register';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function registries(): Registries {
  const r = new Registries();
  registerPseudoLabelComponents(r);
  return r;
}

const build = (type: string, options: Record<string, unknown> = {}) => (): PseudoLabeler => registries().pseudoLabeler.build({ type, ...options }, 'pseudoLabel');

describeLabelerContract('none', { build: build('none'), labels: false });
describeLabelerContract('argmax', { build: build('argmax') });
describeLabelerContract('top-p, ranked over all classes', { build: build('top-p', { fraction: 0.3 }) });
describeLabelerContract('top-p, ranked over unseen classes', { build: build('top-p', { fraction: 0.5, rankBy: 'unseen-classes' }) });
describeLabelerContract('consistency, paper views', { build: build('consistency') });
describeLabelerContract('consistency, mirror only', { build: build('consistency', { scales: [], flip: true }) });

describe('pseudo-labeler contract coverage', () => {
  it('runs the labeller contract for every labeller this library registers', () => {
    expect(registries().pseudoLabeler.types()).toEqual(['argmax', 'consistency', 'none', 'top-p']);
  });
});
