import { Registries, type Backbone } from '@zls/core';
import { selectBackend } from '@zls/backend';
import { describeHeadContract } from '@zls/testing';
import { registerModelComponents } from '../register-model-components';

// The backend the main job trains on: tfjs wasm with the heavy kernels in onnxruntime.
beforeAll(async () => {
  await selectBackend('wasm-ort');
});

function registries(): Registries {
  const r = new Registries();
  registerModelComponents(r);
  return r;
}

function backbone(config: Record<string, unknown> & { type: string }): () => Backbone {
  return () => registries().backbone.build(config, 'model.backbone', undefined, { seed: 2 });
}

/** Stride 4, no low-level output: the synthetic benchmark's trunk. */
const syntheticNet = backbone({ type: 'synthetic-net', width: 4 });
/** Stride 8 with stride-4 low-level features, torchvision stem so that sizes divide exactly. */
const smallResnet = backbone({ type: 'resnet', depth: 18, baseWidth: 2, outputStride: 8, caffeStem: false, frozenBn: false });

describeHeadContract('aspp-lite-projection', { registries, config: { type: 'aspp-lite-projection', embeddingDim: 6 }, outputChannels: 6, backbone: syntheticNet, inputSize: [16, 24], requireOnnx: true });
describeHeadContract('aspp-lite-projection, frozen BN, own seed', {
  registries,
  config: { type: 'aspp-lite-projection', embeddingDim: 5, dilations: [1, 3], fuseMultiplier: 1, frozenBn: true, seed: 9 },
  outputChannels: 5,
  backbone: syntheticNet,
  inputSize: [16, 16],
  requireOnnx: true,
});
describeHeadContract('aspp-v2-projection', { registries, config: { type: 'aspp-v2-projection', embeddingDim: 6, rates: [1, 2, 3, 4], initStd: 0.1 }, outputChannels: 6, backbone: smallResnet, requireOnnx: true });
describeHeadContract('deeplabv3plus, decoder features', {
  registries,
  config: { type: 'deeplabv3plus', channels: 8, rates: [1, 2, 3], lowLevelReduced: 4 },
  outputChannels: 8,
  backbone: smallResnet,
  outputGrid: 'lowLevel',
  requireOnnx: true,
});
describeHeadContract('deeplabv3plus, projected to an embedding', {
  registries,
  config: { type: 'deeplabv3plus', channels: 8, rates: [2], lowLevelReduced: 4, embeddingDim: 6, frozenBn: true },
  outputChannels: 6,
  backbone: smallResnet,
  outputGrid: 'lowLevel',
  batch: 1,
  requireOnnx: true,
});

describe('head contract coverage', () => {
  it('runs the head contract for every head this library registers', () => {
    expect(registries().head.types()).toEqual(['aspp-lite-projection', 'aspp-v2-projection', 'deeplabv3plus']);
  });
});
