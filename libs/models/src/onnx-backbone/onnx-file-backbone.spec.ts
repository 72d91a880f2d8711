import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { OnnxGraphBuilder, OnnxInferenceSession, registerZlsGradients } from '@zls/backend';
import { Registries, type Backbone } from '@zls/core';
import { describeBackboneContract } from '@zls/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { buildSegmentationModel } from '../model/build-segmentation-model';
import { registerModelComponents } from '../register-model-components';
import { randomClasses } from '../testing/class-embeddings';
import { maxAbsDiff } from '../testing/naive';
import { hwioToOihw } from '../onnx/weights';

// One folder for the whole file: the contract builds backbones in its own hooks.
const dir = mkdtempSync(join(tmpdir(), 'zls-onnx-backbone-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let kernel: tf.Tensor4D;
const bias = Float32Array.from([0.1, -0.1, 0.2, 0]);

/**
 * A feature extractor as a user would bring it: conv 3×3/2 (3→4) + bias → ReLU → ×0.5 → max-pool 2/2,
 * output stride 4; the ReLU output is also exported (stride 2, as a low-level output).
 */
function writeExtractor(layout: 'NCHW' | 'NHWC'): string {
  const g = new OnnxGraphBuilder('user-extractor');
  g.addInput('pixels', layout === 'NCHW' ? ['batch', 3, 'h', 'w'] : ['batch', 'h', 'w', 3]);
  g.addInitializer('w', hwioToOihw(kernel), [4, 3, 3, 3]).addInitializer('b', bias, [4]).addInitializer('half', Float32Array.of(0.5), []);
  const x = layout === 'NCHW' ? 'pixels' : g.op('Transpose', ['pixels'], { perm: [0, 3, 1, 2] });
  const relu = g.op('Relu', [g.op('Conv', [x, 'w', 'b'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })]);
  const feat = g.op('MaxPool', [g.op('Mul', [relu, 'half'])], { kernel_shape: [2, 2], strides: [2, 2] });
  const out = (v: string, name: string) => g.addNode('Transpose', [v], [name], { perm: layout === 'NCHW' ? [0, 1, 2, 3] : [0, 2, 3, 1] });
  out(feat, 'features');
  out(relu, 'early');
  g.addOutput('features', ['batch', 'a', 'b', 'c']).addOutput('early', ['batch', 'a', 'b', 'c']);
  const file = join(dir, `extractor-${layout}.onnx`);
  writeFileSync(file, g.toBytes());
  return file;
}

let files: Record<'NCHW' | 'NHWC', string>;

function build(layout: 'NCHW' | 'NHWC', extra: Record<string, unknown> = {}): Backbone {
  const r = new Registries();
  registerModelComponents(r);
  return r.backbone.build({ type: 'onnx', file: files[layout], outputStride: 4, outputChannels: 4, layout, ...extra }, 'model.backbone');
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerZlsGradients();
  kernel = tf.randomNormal([3, 3, 3, 4], 0, 0.5, 'float32', 21) as tf.Tensor4D;
  files = { NCHW: writeExtractor('NCHW'), NHWC: writeExtractor('NHWC') };
});

describeBackboneContract('onnx (NCHW file)', { build: () => build('NCHW'), inputSize: [16, 12], frozen: true });
describeBackboneContract('onnx (NHWC file, low-level output)', { build: () => build('NHWC', { lowLevelOutput: 'early', lowLevelChannels: 4 }), inputSize: [8, 16], frozen: true });

describe('onnx backbone', () => {
  it('computes what the file describes (checked against the same layers in tfjs)', () => {
    const x = tf.randomNormal([2, 12, 8, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const expected = tf.tidy(() => tf.maxPool(tf.mul(tf.relu(tf.add(tf.conv2d(x, kernel, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]), tf.tensor1d(bias))), 0.5) as tf.Tensor4D, 2, 2, 'valid'));
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const b = build(layout);
      const { features } = b.apply(x, false);
      expect(features.shape).toEqual([2, 3, 2, 4]);
      expect(maxAbsDiff(features.dataSync(), expected.dataSync())).toBeLessThan(1e-5);
      features.dispose();
      b.dispose();
    }
    tf.dispose([x, expected]);
  });

  it('is embedded whole when a model around it is exported', async () => {
    const r = new Registries();
    registerModelComponents(r);
    const model = buildSegmentationModel(r, { backbone: { type: 'onnx', file: files.NCHW, outputStride: 4, outputChannels: 4 }, head: { type: 'aspp-lite-projection', embeddingDim: 6 } }, randomClasses(3, 6));
    const x = tf.randomNormal([1, 16, 16, 3], 0, 1, 'float32', 6) as tf.Tensor4D;
    const expected = model.forward(x, false);
    const session = await OnnxInferenceSession.create(model.toOnnx(), { threads: 1 });
    const out = (await session.run({ images: { data: x.dataSync() as Float32Array, dims: [1, 16, 16, 3] } }))['scores'];
    await session.dispose();
    expect(maxAbsDiff(out.data, expected.dataSync())).toBeLessThan(1e-4);
    tf.dispose([x, expected]);
    model.dispose();
  });

  it('names the file and what is wrong', () => {
    expect(() => build('NCHW', { file: join(dir, 'missing.onnx') })).toThrow(/cannot read .*missing\.onnx/);
    expect(() => build('NCHW', { featuresOutput: 'logits' })).toThrow(/has no output 'logits' \(outputs: features, early\)/);
    const wrong = build('NCHW', { outputChannels: 8 });
    const x = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
    expect(() => wrong.apply(x, false)).toThrow(/output 'features' has 4 channels, the options declare 8/);
    wrong.dispose();
    writeFileSync(join(dir, 'junk.onnx'), Buffer.from('not a model'));
    expect(() => build('NCHW', { file: join(dir, 'junk.onnx') })).toThrow(/onnxruntime could not load .*junk\.onnx/);
  });
});
