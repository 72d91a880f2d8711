import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Registries } from '@zls/core';
import { selectBackend } from '@zls/backend';
import { useTempDir } from '@zls/testing';
import { buildSegmentationModel } from '../model/build-segmentation-model';
import { maskedCrossEntropy } from '../model/losses';
import type { SegmentationNet } from '../model/segmentation-net';
import { registerModelComponents } from '../register-model-components';
import { randomClasses } from '../testing/class-embeddings';
import { writeModelCheckpoint } from '../testing/write-model-checkpoint';
import { loadModelWeights, readModelWeights } from './model-weights';
import { f32Entry } from './safetensors';

// The backend the main job trains on: tfjs wasm with the heavy kernels in onnxruntime.
beforeAll(async () => {
  await selectBackend('wasm-ort');
});

const config = (seed: number) => ({ backbone: { type: 'synthetic-net', width: 3, seed }, head: { type: 'aspp-lite-projection', embeddingDim: 6, seed } });

function build(seed: number): SegmentationNet {
  const r = new Registries();
  registerModelComponents(r);
  return buildSegmentationModel(r, config(seed), randomClasses(4, 6));
}

const bytesOf = (model: SegmentationNet) => [...model.namedVariables()].map(([k, v]) => [k, Buffer.from((v.dataSync() as Float32Array).buffer).toString('hex')]);

describe('model weights in a checkpoint', () => {
  const tempDir = useTempDir('zls-ckpt-');

  it('load bit-exactly (weights and running statistics) into a differently initialised model', () => {
    const file = join(tempDir(), 'step2.safetensors');
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const y = tf.tensor3d(Array.from({ length: 128 }, (_, i) => [0, 1, 2, 255][i % 4]), [2, 8, 8], 'int32');
    const a = build(1);
    const opt = tf.train.adam(0.01);
    // A training step moves the weights and the batch-norm running statistics off their initial values.
    opt.minimize(() => maskedCrossEntropy(a.forward(x, true, [0, 1, 2]), y), false, a.trainable().map((t) => t.variable));
    writeModelCheckpoint(file, a, { 'zls.stage': 'supervised' });

    const read = readModelWeights(file);
    expect(read.metadata).toEqual({ 'zls.stage': 'supervised' });
    expect([...read.weights.keys()]).toEqual([...a.namedVariables().keys()]);
    const b = build(7);
    expect(bytesOf(b)).not.toEqual(bytesOf(a));
    loadModelWeights(b, read);
    expect(bytesOf(b)).toEqual(bytesOf(a));
    tf.dispose([x, y]);
    opt.dispose();
    [a, b].forEach((m) => m.dispose());
  });

  it('refuses weights that do not fit, naming the key and both shapes', () => {
    const file = join(tempDir(), 'm.safetensors');
    const a = build(1);
    writeModelCheckpoint(file, a);
    const r = new Registries();
    registerModelComponents(r);
    const wider = buildSegmentationModel(r, { backbone: { type: 'synthetic-net', width: 4 }, head: { type: 'aspp-lite-projection', embeddingDim: 6 } }, randomClasses(4, 6));
    expect(() => loadModelWeights(wider, readModelWeights(file))).toThrow(/m\.safetensors: weights do not fit the model: 'backbone\.conv1\.conv\.weight' is \[3, 3, 3, 3\] in the file, the model needs \[3, 3, 3, 4\]/);
    a.dispose();
    wider.dispose();
  });

  it('refuses, in strict mode, a checkpoint with a missing or an extra weight', () => {
    const a = build(1);
    const all = [...a.namedVariables()].map(([k, v]) => [k, f32Entry(v.dataSync() as Float32Array, v.shape)] as const);
    const short = new Map(all.slice(1));
    expect(() => loadModelWeights(a, { file: 'short.safetensors', weights: short })).toThrow(/short\.safetensors: weights do not fit the model: missing 'backbone\.conv1\.conv\.weight'/);
    const long = new Map([...all, ['stray', f32Entry(new Float32Array(1), [1])] as const]);
    expect(() => loadModelWeights(a, { file: 'long.safetensors', weights: long })).toThrow(/long\.safetensors: weights do not fit the model: unexpected 'stray'/);
    // Not strict: a missing weight keeps the model's own value, an extra one is skipped.
    expect(() => loadModelWeights(a, { file: 'short.safetensors', weights: short }, false)).not.toThrow();
    expect(() => loadModelWeights(a, { file: 'long.safetensors', weights: long }, false)).not.toThrow();
    a.dispose();
  });
});
