import * as tf from '@tensorflow/tfjs';
import { Registries } from '@zls/core';
import { describeBackboneContract } from '@zls/testing';
import { plugin } from './plugin';
import type { TinyConvBackbone } from './tiny-conv-backbone';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function build(options: Record<string, unknown> = {}): TinyConvBackbone {
  const registries = new Registries();
  plugin.register(registries);
  return registries.backbone.build({ type: 'tiny-conv', ...options }, 'model.backbone') as TinyConvBackbone;
}

describeBackboneContract('tiny-conv, stride 4', { build: () => build({ width: 4 }) });
describeBackboneContract('tiny-conv, stride 8', { build: () => build({ width: 4, outputStride: 8 }), inputSize: [24, 40] });
describeBackboneContract('tiny-conv, width 3, non-square input', { build: () => build({ width: 3 }), inputSize: [20, 12] });

describe('tiny-conv plugin backbone', () => {
  it('doubles its width at each stage', () => {
    expect(build({ width: 4 }).outputChannels).toBe(8);
    expect(build({ width: 4, outputStride: 8 }).outputChannels).toBe(16);
  });

  it('rejects an output stride it cannot produce', () => {
    expect(() => build({ outputStride: 16 })).toThrow(/model\.backbone\.outputStride: must be one of the following values: 4, 8/);
  });

  it('is deterministic for a seed', () => {
    const a = build({ width: 2, seed: 5 });
    const b = build({ width: 2, seed: 5 });
    expect(Array.from(a.trainableVariables()[0].dataSync())).toEqual(Array.from(b.trainableVariables()[0].dataSync()));
  });
});
