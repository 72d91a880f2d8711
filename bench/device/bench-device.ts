/**
 * For a machine with an NVIDIA GPU: the main job's SPNet training step (batch 16, 65 px, Adam) as one
 * onnxruntime graph on the CUDA execution provider, and on `tensorflow` (tfjs-node-gpu) when that loads, with
 * PyTorch on CUDA as the reference when /usr/bin/python3 has a CUDA build of torch. Nothing here was run on
 * this project's machines (no GPU); it prints what it finds and skips what is missing.
 * Usage: SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register bench/device/bench-device.ts [--reps 20]
 * Needs the CUDA provider: `ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node` (see `zls doctor`).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { cudaProviderStatus, probeGraphEngines, selectBackend } from '@zls/backend';
import { maskedCrossEntropy, normalValues } from '@zls/models';
import { BATCH, buildMainJobNet as buildModel, SEEN, seenPositions as positions, SIZE, timeIt as timed } from '../models/main-job-net';

const arg = (flag: string, fallback: string) => {
  const i = process.argv.indexOf(flag);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};

async function graphStep(providers: string[], reps: number): Promise<number> {
  await selectBackend('cpu');
  const model = buildModel();
  const trainer = await model.graphTrainer({
    batchShape: [BATCH, SIZE, SIZE, 3],
    classes: SEEN,
    slots: model.trainable().map((t) => ({ variable: t.variable, lrMultiplier: 1, weightDecay: 1e-4 })),
    optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    executionProviders: providers,
    threads: 2,
  });
  if (!trainer) throw new Error('no training graph');
  const images = normalValues(BATCH * SIZE * SIZE * 3, 1, 3);
  const targets = positions();
  const ms = await timed(() => trainer.step(images, targets, 2e-3), reps);
  await trainer.dispose();
  model.dispose();
  return ms;
}

async function tensorflowStep(reps: number): Promise<number | string> {
  try {
    await selectBackend('tensorflow');
  } catch (e) {
    return e instanceof Error ? e.message.split('\n')[0] : String(e);
  }
  const model = buildModel();
  const images = tf.tensor4d(normalValues(BATCH * SIZE * SIZE * 3, 1, 3), [BATCH, SIZE, SIZE, 3]);
  const labels = tf.tensor3d(Int32Array.from(positions(), (p) => (p < 0 ? 255 : p)), [BATCH, SIZE, SIZE], 'int32');
  const opt = tf.train.adam(2e-3);
  const vars = model.trainable().map((t) => t.variable);
  const ms = await timed(() => {
    const loss = opt.minimize(() => maskedCrossEntropy(model.forward(images, true, SEEN), labels), true, vars) as tf.Scalar;
    loss.dataSync();
    loss.dispose();
  }, reps);
  tf.dispose([images, labels]);
  model.dispose();
  return ms;
}

function pytorchCuda(reps: number): { train_ms: number; train_variant: string } | string {
  const script = path.join(__dirname, '..', 'models', 'synthetic_model.py');
  const run = spawnSync('/usr/bin/python3', [script, '--device', 'cuda', '--reps', String(reps), '--batch', String(BATCH), '--size', String(SIZE)], { encoding: 'utf8' });
  if (run.status !== 0) return (run.stderr || 'python3 failed').trim().split('\n').pop() as string;
  return JSON.parse(run.stdout.trim().split('\n').pop() as string);
}

async function main(): Promise<void> {
  const reps = Number(arg('--reps', '20'));
  for (const e of await probeGraphEngines()) console.log(`${e.available ? 'ok' : 'no'} ${e.name}: ${e.detail}`);
  const torch = pytorchCuda(reps);
  const ref = typeof torch === 'string' ? undefined : torch.train_ms;
  console.log(typeof torch === 'string' ? `PyTorch CUDA reference: not available (${torch})` : `PyTorch CUDA, fastest variant '${torch.train_variant}': ${torch.train_ms.toFixed(1)} ms`);
  const ratio = (ms: number) => (ref ? ` (${(ms / ref).toFixed(2)}× PyTorch CUDA)` : '');
  if (cudaProviderStatus().present) {
    const ms = await graphStep(['cuda', 'cpu'], reps);
    console.log(`ort-cuda training graph: ${ms.toFixed(1)} ms${ratio(ms)}`);
  } else console.log(`ort-cuda: ${cudaProviderStatus().hint}`);
  const cpu = await graphStep(['cpu'], reps);
  console.log(`ort-cpu training graph: ${cpu.toFixed(1)} ms${ratio(cpu)}`);
  const tensorflow = await tensorflowStep(reps);
  console.log(typeof tensorflow === 'string' ? `tensorflow: not available (${tensorflow})` : `tensorflow (tfjs-node-gpu) autodiff: ${tensorflow.toFixed(1)} ms${ratio(tensorflow)}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
