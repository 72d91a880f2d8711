import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { Registries } from '@zls/core';
import { registerZlsGradients } from '@zls/backend';
import { NORMALIZATIONS, normalizeImage, readLabelPng } from '@zls/data';
import { argmaxClasses, buildSegmentationModel, f32Entry, loadModelWeights, readModelWeights, registerModelComponents, writeSafetensors, type SafetensorsEntry } from '@zls/models';
import { useTempDir } from '@zls/testing';
import { runExport } from './export.command';
import { runPredict } from './predict.command';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerZlsGradients();
});

const modelConfig = { backbone: { type: 'synthetic-net', width: 3 }, head: { type: 'aspp-lite-projection', embeddingDim: 4 } };

function registries(): Registries {
  const r = new Registries();
  registerModelComponents(r);
  return r;
}

/** Four classes with one-hot-ish embeddings; label ids 0, 7, 9, 12 (a dataset numbering ≠ output order). */
async function writeCheckpoint(file: string, extra: { labelIds?: number[]; normalization?: string } = {}): Promise<void> {
  const embeddings = Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  const model = buildSegmentationModel(registries(), modelConfig, { numClasses: 4, embeddingDim: 4, embeddings });
  const x = tf.randomNormal([1, 16, 16, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  model.forward(x, true).dispose();
  // The layout of the trainer's stage checkpoints: weights under `model.*`, the model service's metadata keys.
  const tensors = new Map<string, SafetensorsEntry>();
  for (const [key, v] of model.namedVariables()) tensors.set(`model.${key}`, f32Entry(v.dataSync() as Float32Array, v.shape));
  const metadata: Record<string, string> = { 'zls.model': JSON.stringify(modelConfig), stage: 'supervised', step: '1' };
  if (extra.labelIds) metadata['zls.label_ids'] = JSON.stringify(extra.labelIds);
  if (extra.normalization) metadata['zls.normalization'] = extra.normalization;
  writeSafetensors(file, { tensors, metadata });
  x.dispose();
  model.dispose();
}

async function writeImage(file: string, h: number, w: number): Promise<Uint8Array> {
  const data = Uint8Array.from({ length: h * w * 3 }, (_, i) => (i * 37) % 256);
  await sharp(Buffer.from(data), { raw: { width: w, height: h, channels: 3 } }).png().toFile(file);
  return data;
}

describe('zls export / predict', () => {
  const dir = useTempDir('zls-predict-');

  it('exports a checkpoint to ONNX and predicts the same masks with onnxruntime and with tfjs', async () => {
    const ckpt = path.join(dir(), 'model.safetensors');
    await writeCheckpoint(ckpt);
    const onnx = path.join(dir(), 'model.onnx');
    const exported = await runExport({ checkpoint: ckpt, out: onnx }, registries());
    expect(exported.numClasses).toBe(4);
    expect(fs.statSync(onnx).size).toBe(exported.bytes);

    const pixels = await writeImage(path.join(dir(), 'a.png'), 12, 20);
    const viaOnnx = await runPredict({ model: onnx, images: [path.join(dir(), 'a.png')], out: path.join(dir(), 'onnx'), normalization: 'synthetic' });
    const viaTfjs = await runPredict({ model: ckpt, images: [path.join(dir(), 'a.png')], out: path.join(dir(), 'tfjs'), normalization: 'synthetic', tfjs: true }, registries());
    const a = readLabelPng(viaOnnx[0]);
    const b = readLabelPng(viaTfjs[0]);
    expect([a.height, a.width]).toEqual([12, 20]);

    // Independent check: the model's own forward + argmax on the normalised image.
    const model = buildSegmentationModel(registries(), modelConfig, { numClasses: 4, embeddingDim: 4, embeddings: new Float32Array(16) });
    loadModelWeights(model, readModelWeights(ckpt));
    const image = normalizeImage({ data: pixels, height: 12, width: 20, channels: 3 }, NORMALIZATIONS.synthetic);
    const scores = tf.tidy(() => model.forward(tf.tensor4d(image.data as Float32Array, [1, 12, 20, 3]), false).dataSync() as Float32Array);
    const expected = argmaxClasses(scores, 4);
    model.dispose();
    expect(Array.from(b.data)).toEqual(Array.from(expected));
    // ONNX and tfjs scores agree within 1e-4; an argmax could flip only on a near-tie.
    const agree = a.data.reduce((n, v, i) => n + (v === b.data[i] ? 1 : 0), 0);
    expect(agree).toBeGreaterThanOrEqual(a.data.length - 2);
  });

  it('writes dataset label ids and uses the recorded normalisation when the checkpoint has them', async () => {
    const plain = path.join(dir(), 'plain.safetensors');
    const labelled = path.join(dir(), 'labelled.safetensors');
    await writeCheckpoint(plain);
    await writeCheckpoint(labelled, { labelIds: [0, 7, 9, 12], normalization: 'synthetic' });
    await writeImage(path.join(dir(), 'b.png'), 16, 16);
    const [byIndex] = await runPredict({ model: plain, images: [path.join(dir(), 'b.png')], out: path.join(dir(), 'i'), normalization: 'synthetic', tfjs: true }, registries());
    const [byId] = await runPredict({ model: labelled, images: [path.join(dir(), 'b.png')], out: path.join(dir(), 'l'), tfjs: true }, registries());
    const ids = [0, 7, 9, 12];
    expect(Array.from(readLabelPng(byId).data)).toEqual(Array.from(readLabelPng(byIndex).data).map((i) => ids[i]));
  });

  it('names the missing normalisation and a bad class list', async () => {
    const ckpt = path.join(dir(), 'model.safetensors');
    await writeCheckpoint(ckpt);
    await writeImage(path.join(dir(), 'a.png'), 8, 8);
    await expect(runPredict({ model: ckpt, images: [path.join(dir(), 'a.png')], out: dir() }, registries())).rejects.toThrow(/--normalization is required/);
    await expect(runExport({ checkpoint: ckpt, out: path.join(dir(), 'm.onnx'), classes: '0,9' }, registries())).rejects.toThrow(/--classes: '0,9' must list output indices in 0..3/);
  });
});
