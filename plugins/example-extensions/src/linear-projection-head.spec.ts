import * as tf from '@tensorflow/tfjs';
import { Registries } from '@zls/core';
import { plugin } from './plugin';
import type { LinearProjectionHead } from './linear-projection-head';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function build(options: Record<string, unknown>, context: { inputChannels?: number; seed?: number }): LinearProjectionHead {
  const registries = new Registries();
  plugin.register(registries);
  return registries.head.build({ type: 'linear-projection', ...options }, 'model.head', undefined, context) as LinearProjectionHead;
}

describe('linear-projection plugin head', () => {
  it('is a 1×1 convolution with bias, checked against a float64 loop', () => {
    const head = build({ embeddingDim: 3 }, { inputChannels: 4, seed: 5 });
    const [kernel, bias] = head.trainableVariables();
    bias.assign(tf.tensor1d([0.5, -1, 2]));
    const x = tf.randomNormal([2, 3, 5, 4], 0, 1, 'float32', 1) as tf.Tensor4D;
    const out = head.apply({ features: x }, false);
    expect(out.shape).toEqual([2, 3, 5, 3]);
    const xs = x.dataSync();
    const w = kernel.dataSync();
    const b = bias.dataSync();
    const got = out.dataSync();
    for (let p = 0; p < 2 * 3 * 5; p++) {
      for (let o = 0; o < 3; o++) {
        let sum = b[o];
        for (let c = 0; c < 4; c++) sum += xs[p * 4 + c] * w[c * 3 + o];
        expect(got[p * 3 + o]).toBeCloseTo(sum, 5);
      }
    }
  });

  it("takes the run's seed from the injected context unless its options set one", () => {
    const first = (seed: number, options: Record<string, unknown> = {}) => Array.from(build({ embeddingDim: 2, ...options }, { inputChannels: 3, seed }).trainableVariables()[0].dataSync());
    expect(first(1)).toEqual(first(1));
    expect(first(1)).not.toEqual(first(2));
    expect(first(1, { seed: 9 })).toEqual(first(2, { seed: 9 }));
  });

  it('names every variable and lets gradients reach them', () => {
    const head = build({ embeddingDim: 2 }, { inputChannels: 3 });
    expect([...head.namedVariables().keys()]).toEqual(['weight', 'bias']);
    const x = tf.ones([1, 2, 2, 3]) as tf.Tensor4D;
    const { grads } = tf.variableGrads(() => tf.sum(head.apply({ features: x }, true)) as tf.Scalar, head.trainableVariables());
    for (const v of head.trainableVariables()) expect(tf.sum(tf.abs(grads[v.name])).dataSync()[0]).toBeGreaterThan(0);
  });

  it('says how to build it when the backbone width is not known', () => {
    expect(() => build({}, {})).toThrow(/linear-projection: build it through the head registry/);
  });
});
