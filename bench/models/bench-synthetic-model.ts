/**
 * The synthetic benchmark's SPNet model (synthetic-net width 32 + aspp-lite-projection to 300-d, 20 classes):
 * one Adam training step on 16 images of 64×64 over the 15 seen classes, and inference, per tfjs backend and
 * through the exported ONNX graph in one onnxruntime session. The reference is the PyTorch 1.13 prototype's
 * PyTorch twin of the same net (synthetic_model.py, 1 and 2 threads) run on this machine when /usr/bin/python3 has
 * torch (apt-get install -y python3-torch); otherwise the prototype's documented step time (synthetic-benchmark.md
 * §7: 45–49 ms, 2 threads, idle machine).
 * Usage: SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register bench/models/bench-synthetic-model.ts [--reps 10] [--backends wasm-ort]
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { OnnxInferenceSession, selectBackend } from '@zls/backend';
import { Registries } from '@zls/core';
import { buildSegmentationModel, maskedCrossEntropy, normalValues, registerModelComponents } from '@zls/models';

const DOCUMENTED_PYTORCH_STEP_MS = 47; // middle of the prototype's 45–49 ms

/** Median train-step and inference ms of the PyTorch twin, or undefined when torch is not installed. */
function pytorch(threads: number, reps: number): { train_ms: number; infer_ms: number } | undefined {
  const run = spawnSync(process.env['PYTHON'] ?? '/usr/bin/python3', [path.join(__dirname, 'synthetic_model.py'), '--threads', String(threads), '--reps', String(reps)], { encoding: 'utf8' });
  if (run.status !== 0) return undefined;
  return JSON.parse(run.stdout.trim().split('\n').pop() as string);
}
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
  const torch1 = pytorch(1, reps);
  const torch2 = pytorch(2, reps);
  const PYTORCH_STEP_MS = torch2?.train_ms ?? DOCUMENTED_PYTORCH_STEP_MS;
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
    rows.push(`| ${backend} | ${trainMs.toFixed(0)} | ${(trainMs / PYTORCH_STEP_MS).toFixed(2)} | ${median(inference).toFixed(0)} |`);
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
  const reference = torch2 ? `PyTorch twin on this machine, 2 threads: ${PYTORCH_STEP_MS.toFixed(0)} ms` : `PyTorch 1.13 step ${PYTORCH_STEP_MS} ms (documented; torch not installed here)`;
  console.log(`synthetic SPNet model, batch ${BATCH}, ${SIZE}×${SIZE}, median of ${reps}; reference: ${reference}`);
  console.log('| backend | train step ms | × PyTorch 2 threads | inference ms (batch 16) |');
  console.log('|---|---|---|---|');
  for (const [name, t] of [['PyTorch 1.13, 1 thread', torch1], ['PyTorch 1.13, 2 threads', torch2]] as const) {
    if (t) rows.unshift(`| ${name} | ${t.train_ms.toFixed(0)} | ${(t.train_ms / PYTORCH_STEP_MS).toFixed(2)} | ${t.infer_ms.toFixed(0)} |`);
  }
  for (const r of rows) console.log(r);
  console.log(`| exported ONNX, onnxruntime 2 threads | | | ${onnxMs.toFixed(0)} |`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
