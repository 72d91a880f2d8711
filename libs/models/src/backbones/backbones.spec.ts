import * as tf from '@tensorflow/tfjs';
import { Registries, type Backbone } from '@zls/core';
import { selectBackend } from '@zls/backend';
import { describeBackboneContract } from '@zls/testing';
import { registerModelComponents } from '../register-model-components';
import { deeplabResnetFeatureSize } from './deeplab-resnet';

// The backend the main job trains on: tfjs wasm with the heavy kernels in onnxruntime.
beforeAll(async () => {
  await selectBackend('wasm-ort');
});

function build(config: Record<string, unknown> & { type: string }): Backbone {
  const r = new Registries();
  registerModelComponents(r);
  return r.backbone.build(config, 'model.backbone');
}

describeBackboneContract('synthetic-net', { build: () => build({ type: 'synthetic-net', width: 4 }), inputSize: [16, 24] });
describeBackboneContract('synthetic-net, frozen BN', { build: () => build({ type: 'synthetic-net', width: 3, frozenBn: true }), inputSize: [16, 16] });
describeBackboneContract('resnet-18, OS 8, Caffe stem, frozen BN', {
  build: () => build({ type: 'resnet', depth: 18, baseWidth: 4, outputStride: 8 }),
  inputSize: [32, 26],
  featureSize: (h, w) => [5, 4].map((_, i) => deeplabResnetFeatureSize([h, w][i], { outputStride: 8, caffeStem: true })) as [number, number],
});
describeBackboneContract('resnet-50, OS 16, torchvision stem, trainable BN', {
  build: () => build({ type: 'resnet', depth: 50, baseWidth: 2, outputStride: 16, caffeStem: false, frozenBn: false }),
  inputSize: [32, 32],
  batch: 1,
});

describe('contract coverage', () => {
  it('runs the backbone contract for every backbone this library registers', () => {
    const r = new Registries();
    registerModelComponents(r);
    // synthetic-net and resnet above; onnx in ../onnx-backbone/onnx-file-backbone.spec.ts; the plugin's tiny-conv in its own package.
    expect(r.backbone.types()).toEqual(['onnx', 'resnet', 'synthetic-net']);
  });
});

describe('DeepLab ResNet', () => {
  it('has the published parameter counts (torchvision, without the classifier) at width 64', () => {
    // torchvision resnet101: 44,549,160 parameters, of which fc has 2048·1000 + 1000; resnet18: 11,689,512 − 513,000.
    const count = (b: Backbone, trainableOnly: boolean) => {
      const named = (b as unknown as { namedVariables(): Map<string, tf.Variable> }).namedVariables();
      return [...named].filter(([k, v]) => !/running_/.test(k) && (!trainableOnly || v.trainable)).reduce((s, [, v]) => s + v.size, 0);
    };
    const r18 = build({ type: 'resnet', depth: 18 });
    expect(count(r18, false)).toBe(11_689_512 - 513_000);
    r18.dispose();
    const r101 = build({ type: 'resnet', depth: 101 });
    expect(count(r101, false)).toBe(44_549_160 - 2_049_000);
    // Frozen BN leaves only the convolution weights in the optimizer.
    expect(r101.trainableVariables()).toHaveLength(104);
    expect(r101.outputChannels).toBe(2048);
    expect(r101.lowLevelChannels).toBe(256);
    r101.dispose();
  });

  it('follows DeepLab-v2 sizes: 321 → 41 at output stride 8 with the Caffe stem, 33 with torchvision\'s at 16 → 21', () => {
    expect(deeplabResnetFeatureSize(321, { outputStride: 8, caffeStem: true })).toBe(41);
    expect(deeplabResnetFeatureSize(321, { outputStride: 16, caffeStem: false })).toBe(21);
    expect(deeplabResnetFeatureSize(512, { outputStride: 8, caffeStem: false })).toBe(64);
  });
});
