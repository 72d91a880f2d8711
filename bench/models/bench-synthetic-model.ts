/**
 * The main job's SPNet model (synthetic-net width 32 + aspp-lite-projection to 300-d, 20 classes, corner-aligned
 * upsampling): one Adam training step on 16 images of 65×65 over the 15 seen classes, and inference, on each
 * engine: training graphs (one onnxruntime graph per step, the default) and tfjs autodiff per tfjs backend; and
 * the exported ONNX graph for inference. The reference is the fastest of synthetic_model.py's PyTorch variants on
 * this machine (needs /usr/bin/python3 with torch: apt-get install -y python3-torch); the bench names the winner.
 * With --rounds N, PyTorch and the training graph alternate N times (this machine has slow spells of minutes)
 * and the cells are median / min over the rounds.
 * Usage: SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register bench/models/bench-synthetic-model.ts [--reps 10] [--rounds 1] [--backends wasm-ort]
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { OnnxInferenceSession, selectBackend } from '@zls/backend';
import { maskedCrossEntropy, normalValues } from '@zls/models';
import { BATCH, buildMainJobNet as buildModel, mainJobGraphTrainer, median, SEEN, seenPositions as positions, SIZE, timeIt } from './main-job-net';

interface TorchResult {
  torch: string;
  train_ms: number;
  infer_ms: number;
  train_variant: string;
  infer_variant: string;
  variants: Record<string, { train_ms: number; infer_ms: number }>;
}

/** The PyTorch variants' median ms with the fastest named, or undefined when torch is not installed. */
function pytorch(threads: number, reps: number): TorchResult | undefined {
  const run = spawnSync(process.env['PYTHON'] ?? '/usr/bin/python3', [path.join(__dirname, 'synthetic_model.py'), '--threads', String(threads), '--reps', String(reps), '--batch', String(BATCH), '--size', String(SIZE)], { encoding: 'utf8' });
  if (run.status !== 0) return undefined;
  return JSON.parse(run.stdout.trim().split('\n').pop() as string);
}
const arg = (flag: string, fallback: string) => {
  const i = process.argv.indexOf(flag);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};

/** The default engine: each step one onnxruntime graph (2 threads). */
async function graphStepMs(reps: number): Promise<number> {
  await selectBackend('wasm-ort');
  const model = buildModel();
  const images = normalValues(BATCH * SIZE * SIZE * 3, 1, 3);
  const targets = positions();
  const trainer = await mainJobGraphTrainer(model);
  const ms = await timeIt(async () => void (await trainer.step(images, targets, 2e-3)), reps);
  await trainer.dispose();
  model.dispose();
  return ms;
}

async function tfjsStepMs(backend: string, reps: number): Promise<{ train: number; infer: number }> {
  await selectBackend(backend);
  const model = buildModel();
  const images = tf.tensor4d(normalValues(BATCH * SIZE * SIZE * 3, 1, 3), [BATCH, SIZE, SIZE, 3]);
  const labels = tf.tensor3d(Int32Array.from(positions(), (p) => (p < 0 ? 255 : p)), [BATCH, SIZE, SIZE], 'int32');
  const opt = tf.train.adam(2e-3);
  const vars = model.trainable().map((t) => t.variable);
  const train = await timeIt(() => {
    const loss = opt.minimize(() => maskedCrossEntropy(model.forward(images, true, SEEN), labels), true, vars) as tf.Scalar;
    loss.dataSync();
    loss.dispose();
  }, reps);
  const infer = await timeIt(() => {
    const y = model.forward(images, false);
    y.dataSync();
    y.dispose();
  }, reps);
  tf.dispose([images, labels]);
  opt.dispose();
  model.dispose();
  return { train, infer };
}

async function onnxInferenceMs(reps: number): Promise<number> {
  const model = buildModel();
  const session = await OnnxInferenceSession.create(model.toOnnx(), { threads: 2 });
  const feed = { images: { data: normalValues(BATCH * SIZE * SIZE * 3, 1, 3), dims: [BATCH, SIZE, SIZE, 3] } };
  const ms = await timeIt(async () => void (await session.run(feed)), reps);
  await session.dispose();
  model.dispose();
  return ms;
}

/** "median / min" over rounds (just the value for one round), and the ratio of each to the reference's. */
function cells(xs: number[], ref?: number[]): [string, string] {
  const one = xs.length === 1;
  const value = one ? xs[0].toFixed(0) : `${median(xs).toFixed(0)} / ${Math.min(...xs).toFixed(0)}`;
  if (!ref) return [value, 'n/a'];
  const ratio = one ? (xs[0] / ref[0]).toFixed(2) : `${(median(xs) / median(ref)).toFixed(2)} / ${(Math.min(...xs) / Math.min(...ref)).toFixed(2)}`;
  return [value, ratio];
}

async function main(): Promise<void> {
  const reps = Number(arg('--reps', '10'));
  const rounds = Number(arg('--rounds', '1'));
  const backends = arg('--backends', 'wasm-ort').split(',').filter(Boolean);
  // Rounds alternate PyTorch and the training graph, so that this machine's slow spells hit both.
  const torchRounds: TorchResult[] = [];
  const graph: number[] = [];
  const onnx: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = pytorch(2, reps);
    if (t) torchRounds.push(t);
    graph.push(await graphStepMs(reps));
    onnx.push(await onnxInferenceMs(reps));
  }
  const torch1 = pytorch(1, reps);
  if (torchRounds.length === 0) console.log('PyTorch is not installed (/usr/bin/python3 -c "import torch" failed): no reference, no ratios');
  const variants = Object.keys(torchRounds[0]?.variants ?? {});
  const over = (name: string, key: 'train_ms' | 'infer_ms') => torchRounds.map((t) => t.variants[name][key]);
  const fastest = (key: 'train_ms' | 'infer_ms') => variants.reduce((best, v) => (best === '' || median(over(v, key)) < median(over(best, key)) ? v : best), '');
  const [trainRef, inferRef] = [fastest('train_ms'), fastest('infer_ms')];
  const refTrain = trainRef ? over(trainRef, 'train_ms') : undefined;
  const refInfer = inferRef ? over(inferRef, 'infer_ms') : undefined;
  const row = (label: string, train: number[], infer: number[]) => `| ${label} | ${cells(train, refTrain).join(' | ')} | ${cells(infer, refInfer).join(' | ')} |`;
  const rows = variants.map((v) => row(`PyTorch ${v}, 2 threads`, over(v, 'train_ms'), over(v, 'infer_ms')));
  if (torch1) rows.push(row(`PyTorch ${torch1.train_variant}, 1 thread`, [torch1.train_ms], [torch1.infer_ms]));
  rows.push(row('zls training graph (onnxruntime, 2 threads; default)', graph, onnx));
  for (const backend of backends) {
    const t = await tfjsStepMs(backend, reps);
    rows.push(row(`zls tfjs autodiff on ${backend}`, [t.train], [t.infer]));
  }
  const torchName = torchRounds[0]?.torch;
  const reference = refTrain && refInfer ? `fastest PyTorch ${torchName}, 2 threads: train '${trainRef}' ${median(refTrain).toFixed(0)} ms, inference '${inferRef}' ${median(refInfer).toFixed(0)} ms` : 'none';
  const spread = rounds > 1 ? `; ${rounds} rounds alternating PyTorch and the training graph, cells median / min over rounds (ratios median/median and min/min)` : '';
  console.log(`main-job SPNet model, batch ${BATCH}, ${SIZE}×${SIZE}, Adam, median of ${reps}${spread}; reference: ${reference}`);
  console.log('| engine | train step ms | × fastest PyTorch | inference ms | × fastest PyTorch |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
