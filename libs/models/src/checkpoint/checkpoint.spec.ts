import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Registries } from '@zls/core';
import { selectBackend } from '@zls/backend';
import { useTempDir } from '@zls/testing';
import { buildSegmentationModel } from '../model/build-segmentation-model';
import { maskedCrossEntropy } from '../model/losses';
import type { SegmentationNet } from '../model/segmentation-net';
import { registerModelComponents } from '../register-model-components';
import { randomClasses } from '../testing-support/class-embeddings';
import { loadModelWeights, readCheckpoint, restoreOptimizer, saveCheckpoint } from './checkpoint';

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

function step(model: SegmentationNet, opt: tf.Optimizer, x: tf.Tensor4D, y: tf.Tensor3D): void {
  opt.minimize(() => maskedCrossEntropy(model.forward(x, true, [0, 1, 2]), y), false, model.trainable().map((t) => t.variable));
}

const bytesOf = (model: SegmentationNet) => [...model.namedVariables()].map(([k, v]) => [k, Buffer.from((v.dataSync() as Float32Array).buffer).toString('hex')]);

describe('checkpoints', () => {
  const tempDir = useTempDir('zls-ckpt-');
  it('round-trip bit-exactly (weights, running stats, metadata) and resume Adam to identical weights', async () => {
    const dir = tempDir();
    const file = join(dir, 'step2.safetensors');
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const y = tf.tensor3d(Array.from({ length: 128 }, (_, i) => [0, 1, 2, 255][i % 4]), [2, 8, 8], 'int32');
    const a = build(1);
    const optA = tf.train.adam(0.01);
    step(a, optA, x, y);
    step(a, optA, x, y);
    await saveCheckpoint(file, a, { configHash: 'abc123', classSpace: 'voc-a', stage: 'supervised', round: 0, step: 2, model: config(1), numClasses: 4, embeddingDim: 6 }, optA);

    const ckpt = readCheckpoint(file);
    expect(ckpt.info).toEqual({ configHash: 'abc123', classSpace: 'voc-a', stage: 'supervised', round: 0, step: 2, model: config(1), numClasses: 4, embeddingDim: 6 });
    const b = build(7);
    expect(bytesOf(b)).not.toEqual(bytesOf(a));
    loadModelWeights(b, ckpt);
    expect(bytesOf(b)).toEqual(bytesOf(a));

    const optB = tf.train.adam(0.01);
    await restoreOptimizer(optB, b, ckpt);
    step(a, optA, x, y);
    step(b, optB, x, y);
    expect(bytesOf(b)).toEqual(bytesOf(a));

    // Saving the restored model again gives the same bytes as saving the original.
    await saveCheckpoint(join(dir, 'a.safetensors'), a, ckpt.info);
    await saveCheckpoint(join(dir, 'b.safetensors'), b, ckpt.info);
    expect(readFileSync(join(dir, 'a.safetensors')).equals(readFileSync(join(dir, 'b.safetensors')))).toBe(true);
    tf.dispose([x, y]);
    [optA, optB].forEach((o) => o.dispose());
    [a, b].forEach((m) => m.dispose());
  });

  it('refuses weights that do not fit, naming the key and both shapes', async () => {
    const dir = tempDir();
    const file = join(dir, 'm.safetensors');
    const a = build(1);
    await saveCheckpoint(file, a, { configHash: 'h', classSpace: 's', stage: 'supervised', round: 0, step: 0 });
    const r = new Registries();
    registerModelComponents(r);
    const wider = buildSegmentationModel(r, { backbone: { type: 'synthetic-net', width: 4 }, head: { type: 'aspp-lite-projection', embeddingDim: 6 } }, randomClasses(4, 6));
    expect(() => loadModelWeights(wider, readCheckpoint(file))).toThrow(/m\.safetensors: weights do not fit the model: 'backbone\.conv1\.conv\.weight' is \[3, 3, 3, 3\] in the file, the model needs \[3, 3, 3, 4\]/);
    await expect(restoreOptimizer(tf.train.adam(), a, readCheckpoint(file))).rejects.toThrow(/has no optimizer state/);
    a.dispose();
    wider.dispose();
  });
});
