import * as tf from '@tensorflow/tfjs';
import { Registries, type Backbone } from '@zls/core';
import { describeHeadContract, describeLabelerContract } from '@zls/testing';
import { plugin } from './plugin';
import type { PseudoLabeler } from '@zls/core';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const registries = () => {
  const r = new Registries();
  plugin.register(r);
  return r;
};

/** A stride-2 convolution with 5 output channels: just enough backbone for the head to read. */
function strideTwoBackbone(): Backbone {
  const kernel = tf.variable(tf.randomNormal([3, 3, 3, 5], 0, 0.3, 'float32', 4), true);
  return {
    outputStride: 2,
    outputChannels: 5,
    apply: (input) => ({ features: tf.tidy(() => tf.relu(tf.conv2d(input, kernel as tf.Tensor4D, 2, 'same'))) }),
    trainableVariables: () => [kernel],
    dispose: () => kernel.dispose(),
  };
}

describeHeadContract('plugin linear-projection', { registries, config: { type: 'linear-projection', embeddingDim: 4 }, outputChannels: 4, backbone: strideTwoBackbone, inputSize: [8, 12], requireOnnx: true });
describeLabelerContract('plugin confidence-threshold', {
  build: () => registries().pseudoLabeler.build({ type: 'confidence-threshold', threshold: 0.3 }, 'selfTraining.pseudoLabel') as PseudoLabeler,
});
