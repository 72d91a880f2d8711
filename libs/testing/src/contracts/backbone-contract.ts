import * as tf from '@tensorflow/tfjs';
import type { Backbone } from '@zls/core';

export interface BackboneContractOptions {
  /** Builds a fresh backbone for each check. */
  build: () => Backbone;
  /** Input height and width; both must be multiples of the output stride. */
  inputSize?: [number, number];
  batch?: number;
}

/**
 * The checks every backbone must pass (built-ins and plugins alike): declared stride and width, no tensor
 * leaks over repeated calls, and a gradient that reaches every trainable variable.
 */
export function describeBackboneContract(name: string, options: BackboneContractOptions): void {
  const [height, width] = options.inputSize ?? [32, 32];
  const batch = options.batch ?? 2;

  describe(`backbone contract: ${name}`, () => {
    let backbone: Backbone;
    let input: tf.Tensor4D;
    beforeEach(() => {
      backbone = options.build();
      input = tf.randomNormal([batch, height, width, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
    });
    afterEach(() => {
      input.dispose();
      backbone.dispose();
    });

    it('outputs features at the declared stride and channel count', () => {
      const out = backbone.apply(input, false);
      expect(out.features.shape).toEqual([batch, height / backbone.outputStride, width / backbone.outputStride, backbone.outputChannels]);
      if (out.lowLevel) expect(out.lowLevel.shape[3]).toBe(backbone.lowLevelChannels);
      tf.dispose([out.features, out.lowLevel ?? []]);
    });

    it('leaks no tensors over repeated calls', () => {
      const run = () => {
        const out = backbone.apply(input, true);
        tf.dispose([out.features, out.lowLevel ?? []]);
      };
      run();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) run();
      expect(tf.memory().numTensors).toBe(before);
    });

    it('sends a non-zero gradient to every trainable variable', () => {
      const variables = backbone.trainableVariables();
      expect(variables.length).toBeGreaterThan(0);
      const { grads } = tf.variableGrads(() => {
        const out = backbone.apply(input, true);
        const loss = tf.mean(tf.square(out.features));
        return (out.lowLevel ? tf.add(loss, tf.mean(tf.square(out.lowLevel))) : loss) as tf.Scalar;
      }, variables);
      for (const v of variables) {
        const g = grads[v.name];
        expect(g).toBeDefined();
        expect(tf.max(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
      }
      tf.dispose(grads);
    });
  });
}
