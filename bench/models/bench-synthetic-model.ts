/**
 * The synthetic benchmark's SPNet model (synthetic-net width 32 + aspp-lite-projection to 300-d, 20 classes):
 * one Adam training step on 16 images of 64×64 over the 15 seen classes, and inference, per tfjs backend and
 * through the exported ONNX graph in one onnxruntime session. The reference is the PyTorch 1.13 prototype's
 * measured step time (synthetic-benchmark.md §7: 45–49 ms, 2 threads, idle machine); python3-torch is not
 * installable here, so the ratio is against that documented figure.
 * Usage: SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register bench/models/bench-synthetic-model.ts [--reps 10] [--backends wasm-ort]
 */
import * as tf from '@tensorflow/tfjs';
import { OnnxInferenceSession, selectBackend } from '@zls/backend';
import { Registries } from '@zls/core';
import { buildSegmentationModel, maskedCrossEntropy, normalValues, registerModelComponents } from '@zls/models';

const PYTORCH_STEP_MS = 47; // middle of the prototype's 45–49 ms
const BATCH = 16;
const SIZE = 64;
const CLASSES = 20;
const SEEN = Array.from({ length: CLASSES }, (_, i) => i).filter((c) => ![0, 5, 10, 15, 17].includes(c));

const arg = (flag: string, fallback: string) => {
  const i = process.argv.indexOf(flag);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function buildModel() {
  const r = new Registries();
  registerModelComponents(r);
  const embeddings = normalValues(CLASSES * 300, 1, 7);
  for (let c = 0; c < CLASSES; c++) {
    const row = embeddings.subarray(c * 300, (c + 1) * 300);
    const n = Math.hypot(...row);
    row.forEach((v, j) => (row[j] = v / n));
  }
  return buildSegmentationModel(r, { backbone: { type: 'synthetic-net', width: 32 }, head: { type: 'aspp-lite-projection', embeddingDim: 300 } }, { numClasses: CLASSES, embeddingDim: 300, embeddings });
}

async function main(): Promise<void> {
  const reps = Number(arg('--reps', '10'));
  const backends = arg('--backends', 'wasm-ort').split(',');
  const rows: string[] = [];
  let onnxMs = NaN;
  for (const backend of backends) {
    await selectBackend(backend);
    const model = buildModel();
    const images = tf.randomNormal([BATCH, SIZE, SIZE, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const seenLabel = (i: number) => (i % 5 === 0 ? 255 : SEEN[i % SEEN.length]);
    // Targets in seen-score order (the loss runs over the 15 seen scores).
    const labels = tf.tensor3d(Int32Array.from({ length: BATCH * SIZE * SIZE }, (_, i) => (seenLabel(i) === 255 ? 255 : SEEN.indexOf(seenLabel(i)))), [BATCH, SIZE, SIZE], 'int32');
    const opt = tf.train.adam(2e-3);
    const vars = model.trainable().map((t) => t.variable);
    const step = () => {
      const loss = opt.minimize(() => maskedCrossEntropy(model.forward(images, true, SEEN), labels), true, vars) as tf.Scalar;
      loss.dataSync();
      loss.dispose();
    };
    const infer = () => {
      const y = model.forward(images, false);
      y.dataSync();
      y.dispose();
    };
    for (let i = 0; i < 2; i++) step();
    const train: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t = performance.now();
      step();
      train.push(performance.now() - t);
    }
    infer();
    const inference: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t = performance.now();
      infer();
      inference.push(performance.now() - t);
    }
    const trainMs = median(train);
    rows.push(`| ${backend} | ${trainMs.toFixed(0)} | ${(trainMs / PYTORCH_STEP_MS).toFixed(1)} | ${median(inference).toFixed(0)} |`);
    if (Number.isNaN(onnxMs)) {
      const session = await OnnxInferenceSession.create(model.toOnnx(), { threads: 2 });
      const feed = { images: { data: images.dataSync() as Float32Array, dims: [BATCH, SIZE, SIZE, 3] } };
      await session.run(feed);
      const times: number[] = [];
      for (let i = 0; i < reps; i++) {
        const t = performance.now();
        await session.run(feed);
        times.push(performance.now() - t);
      }
      onnxMs = median(times);
      await session.dispose();
    }
    tf.dispose([images, labels]);
    opt.dispose();
    model.dispose();
  }
  console.log(`synthetic SPNet model, batch ${BATCH}, ${SIZE}×${SIZE}, median of ${reps}; reference: PyTorch 1.13 step ${PYTORCH_STEP_MS} ms (documented)`);
  console.log('| backend | train step ms | × PyTorch | inference ms (batch 16) |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log(`| exported ONNX, onnxruntime 2 threads | | | ${onnxMs.toFixed(0)} |`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
