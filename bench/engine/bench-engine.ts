/**
 * Reference-model benchmark: training step and inference on the training-graph engine (each step one
 * onnxruntime graph, the default), per tfjs backend (autodiff), the whole graph in onnxruntime (inference), and
 * every PyTorch 1.13 variant of reference_model.py (1 and 2 threads) when /usr/bin/python3 has torch. All
 * ratios are against the fastest PyTorch variant (by median), which the output names. Rounds alternate between
 * PyTorch and ours so that load from other processes hits both; medians and minimums over all samples.
 * Also checks the training graph computes the tfjs path's loss: their first-step losses on the same batch and
 * weights are printed ("first-step loss: graph X, tfjs Y") and must agree within 1e-3 relative.
 * Usage: SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register bench/engine/bench-engine.ts [--rounds 3] [--reps 10]
 *        [--backends wasm-ort,wasm-ort:unfused,wasm,cpu] [--batch 8] [--size 96] [--torch-threads 1,2] [--no-torch]
 *        (':unfused' composes batch norm and loss from tfjs ops instead of the fused ops; ':2threads' runs the
 *        single-op sessions with two intra-op threads; ':infer' measures inference only, e.g. cpu:infer, since a
 *        cpu training step takes minutes; --backends '' skips the tfjs rows)
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildTrainingGraph, OnnxInferenceSession, OnnxTrainingSession, selectBackend, wasmOrtSessions } from '@zls/backend';
import { exportReferenceOnnx, referenceTrainingForward } from './export-reference-onnx';
import { createEmbeddings, createParams, forward, loss, NUM_CLASSES, useFusedBatchNorm } from './reference-model';

interface Args {
  rounds: number;
  reps: number;
  batch: number;
  size: number;
  backends: string[];
  torch: boolean;
  torchThreads: number[];
}

function parseArgs(argv: string[]): Args {
  const get = (flag: string, fallback: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
  };
  return {
    rounds: Number(get('--rounds', '3')),
    reps: Number(get('--reps', '10')),
    batch: Number(get('--batch', '8')),
    size: Number(get('--size', '96')),
    backends: get('--backends', 'wasm-ort,wasm-ort:unfused,wasm').split(',').filter(Boolean),
    torch: !argv.includes('--no-torch'),
    torchThreads: get('--torch-threads', '1,2').split(',').filter(Boolean).map(Number),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function timeMs(fn: () => void, reps: number, warmup = 2): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return times;
}

async function timeAsyncMs(fn: () => Promise<void>, reps: number, warmup = 2): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times;
}

/** reference_model.py's output: every variant's samples, the winners (by median) and their samples. */
interface TorchResult {
  torch: string;
  threads: number;
  variants: Record<string, { train_ms: number; infer_ms: number; train_samples: number[]; infer_samples: number[] }>;
  train_variant: string;
  train_median_ms: number;
  infer_variant: string;
  infer_median_ms: number;
  train_ms: number[];
  infer_ms: number[];
}

function torchRun(threads: number, a: Args): TorchResult | null {
  const r = spawnSync('/usr/bin/python3', [join(__dirname, 'reference_model.py'), String(threads), String(a.reps), String(a.batch), String(a.size)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    process.stderr.write(`reference_model.py (${threads} threads) failed: ${(r.stderr ?? '').trim().split('\n').pop()}\n`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? 'null');
}

function makeBatch(a: Args) {
  const labels = new Int32Array(a.batch * a.size * a.size);
  for (let i = 0; i < labels.length; i++) labels[i] = i % 10 === 0 ? 255 : (i * 7919) % NUM_CLASSES;
  return {
    images: tf.randomNormal([a.batch, a.size, a.size, 3], 0, 1, 'float32', 1) as tf.Tensor4D,
    labels: tf.tensor3d(labels, [a.batch, a.size, a.size], 'int32'),
  };
}

interface Measure {
  train: number[];
  infer: number[];
  note: string;
  memory?: string;
}

/** `name` is a backend, optionally with ':unfused' to compose batch norm from tfjs ops. */
async function measureBackend(config: string, a: Args, m: Measure): Promise<void> {
  const [name, variant] = config.split(':');
  useFusedBatchNorm(variant !== 'unfused');
  // ':2threads' gives every single-op session two intra-op threads (sessions are rebuilt).
  wasmOrtSessions.clear();
  wasmOrtSessions.threads = variant === '2threads' ? 2 : 1;
  await selectBackend(name);
  const params = createParams(1);
  const embeddings = createEmbeddings(2);
  const { images, labels } = makeBatch(a);
  const optimizer = tf.train.momentum(0.01, 0.9);
  const vars = Object.values(params);
  const step = () => {
    const l = optimizer.minimize(() => loss(params, images, labels, embeddings), true, vars);
    l?.dataSync();
    l?.dispose();
  };
  try {
    if (variant === 'infer') throw new Error('training not measured (infer-only run)');
    // Checked up front: a step that fails half-way strands its activations.
    if (!tf.getKernel('Conv2DBackpropFilter', name)) throw new Error(`no Conv2DBackpropFilter kernel on '${name}'`);
    step();
    const tensors = tf.memory().numTensors;
    const rss = process.memoryUsage().rss;
    m.train.push(...timeMs(step, a.reps, 1));
    m.memory = `tensors ${tensors} → ${tf.memory().numTensors} over ${a.reps + 1} steps; RSS ${(rss / 2 ** 20).toFixed(0)} → ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`;
  } catch (e) {
    m.note = `cannot train: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`;
  }
  m.infer.push(
    ...timeMs(() => {
      const y = tf.tidy(() => forward(params, images, embeddings, false));
      y.dataSync();
      y.dispose();
    }, a.reps),
  );
  tf.dispose([images, labels, embeddings, ...vars]);
  optimizer.dispose();
  useFusedBatchNorm(true);
}

/** Whole-graph inference in one onnxruntime session; also checks it agrees with the tfjs forward. */
async function measureOnnx(a: Args, threads: number, out: number[]): Promise<string> {
  await selectBackend('wasm-ort');
  const params = createParams(1);
  const embeddings = createEmbeddings(2);
  const { images, labels } = makeBatch(a);
  const model = exportReferenceOnnx(params, embeddings, a.size, a.size);
  const session = await OnnxInferenceSession.create(model, { threads });
  const feed = { images: { data: images.dataSync() as Float32Array, dims: images.shape } };
  const refTensor = tf.tidy(() => tf.transpose(forward(params, images, embeddings, false), [0, 3, 1, 2]));
  const ref = refTensor.dataSync();
  refTensor.dispose();
  const got = (await session.run(feed))[session.outputNames[0]].data;
  let worst = 0;
  for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ref[i] - got[i]));
  out.push(...(await timeAsyncMs(async () => void (await session.run(feed)), a.reps)));
  await session.dispose();
  tf.dispose([images, labels, embeddings, ...Object.values(params)]);
  return `max |onnx − tfjs| log-prob = ${worst.toExponential(2)}`;
}

/**
 * The default training engine: each step one onnxruntime graph (forward, loss, gradients, SGD update), built
 * from the reference net's ONNX export and trained as the tfjs rows are (SGD lr 0.01, momentum 0.9, no weight
 * decay). Returns its first-step loss and the tfjs (fused) path's loss on the same batch and weights.
 */
async function measureGraph(a: Args, out: number[]): Promise<{ graph: number; tfjs: number }> {
  await selectBackend('wasm-ort');
  useFusedBatchNorm(true);
  const params = createParams(1);
  const embeddings = createEmbeddings(2);
  const { images, labels } = makeBatch(a);
  const tfjsLoss = tf.tidy(() => loss(params, images, labels, embeddings).dataSync()[0]);
  const { forward, scores, parameters } = referenceTrainingForward(params, embeddings, a.size, a.size);
  const graph = await buildTrainingGraph({
    forward,
    inputDims: { images: [a.batch, a.size, a.size, 3] },
    parameters,
    loss: { kind: 'masked-cross-entropy', scores },
    optimizer: { kind: 'sgd', momentum: 0.9 },
  });
  const session = await OnnxTrainingSession.create(graph, { threads: 2 });
  const input = {
    inputs: { images: Float32Array.from(images.dataSync()) },
    targets: Int32Array.from(labels.dataSync(), (l) => (l === 255 ? -1 : l)),
    lr: 0.01,
  };
  const first = (await session.step(input)).loss;
  out.push(...(await timeAsyncMs(async () => void (await session.step(input)), a.reps, 1)));
  await session.dispose();
  tf.dispose([images, labels, embeddings, ...Object.values(params)]);
  return { graph: first, tfjs: tfjsLoss };
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  // PyTorch samples per (variant, threads), over all rounds.
  const torch = new Map<string, { train: number[]; infer: number[] }>();
  let torchVersion = '';
  const ours = new Map<string, Measure>(a.backends.map((b) => [b, { train: [], infer: [], note: '' }]));
  const onnx: Record<number, number[]> = { 1: [], 2: [] };
  const graphTrain: number[] = [];
  let onnxCheck = '';
  let firstLoss = { graph: NaN, tfjs: NaN };
  for (let round = 0; round < a.rounds; round++) {
    for (const threads of a.torch ? a.torchThreads : []) {
      const r = torchRun(threads, a);
      if (!r) continue;
      torchVersion = r.torch;
      for (const [variant, v] of Object.entries(r.variants)) {
        const key = `${variant}, ${threads} thread${threads > 1 ? 's' : ''}`;
        const m = torch.get(key) ?? { train: [], infer: [] };
        m.train.push(...v.train_samples);
        m.infer.push(...v.infer_samples);
        torch.set(key, m);
      }
    }
    const check = await measureGraph(a, graphTrain);
    if (round === 0) firstLoss = check;
    for (const [name, m] of ours) await measureBackend(name, a, m);
    for (const threads of [1, 2]) onnxCheck = await measureOnnx(a, threads, onnx[threads]);
    process.stderr.write(`round ${round + 1}/${a.rounds} done\n`);
  }
  // Median and minimum of all samples: on a shared machine the minimum is the least disturbed run.
  const stat = (xs: number[]) => ({ med: median(xs), min: xs.length ? Math.min(...xs) : NaN });
  // The reference: the PyTorch variant (and thread count) with the lowest median, for training and inference separately.
  const fastest = (pick: (m: { train: number[]; infer: number[] }) => number[]) => {
    let best: { name: string; med: number; min: number } = { name: 'none', med: NaN, min: NaN };
    for (const [name, m] of torch) {
      const s = stat(pick(m));
      if (Number.isFinite(s.med) && !(s.med >= best.med)) best = { name, ...s };
    }
    return best;
  };
  const refTrain = fastest((m) => m.train);
  const refInfer = fastest((m) => m.infer);
  const ratio = (v: number, r: number) => (Number.isFinite(v) && Number.isFinite(r) ? `${(v / r).toFixed(2)}×` : '–');
  const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '–');
  const cells = (xs: number[], ref: { med: number; min: number }) => {
    if (!xs.length) return '– | –';
    const s = stat(xs);
    return `${fmt(s.med)} / ${fmt(s.min)} | ${ratio(s.med, ref.med)} / ${ratio(s.min, ref.min)}`;
  };
  const row = (name: string, train: number[], infer: number[]) => `| ${name} | ${cells(train, refTrain)} | ${cells(infer, refInfer)} |`;
  const rows: string[] = [
    `reference model, batch ${a.batch}×${a.size}×${a.size}×3, SGD lr 0.01 momentum 0.9; every cell is median / min over ${a.rounds} rounds × ${a.reps} reps`,
    torch.size
      ? `fastest PyTorch ${torchVersion} (the reference of every ratio): train '${refTrain.name}' ${fmt(refTrain.med)} / ${fmt(refTrain.min)} ms; inference '${refInfer.name}' ${fmt(refInfer.med)} / ${fmt(refInfer.min)} ms`
      : 'PyTorch not measured (--no-torch, or /usr/bin/python3 cannot import torch): no reference, no ratios',
    '',
    '| configuration | train ms | × fastest PyTorch | inference ms | × fastest PyTorch |',
    '|---|---|---|---|---|',
  ];
  for (const [name, m] of torch) rows.push(row(`PyTorch ${torchVersion} ${name}`, m.train, m.infer));
  rows.push(row('zls training graph (onnxruntime, 2 threads; default)', graphTrain, onnx[2]));
  for (const [name, m] of ours) rows.push(row(`tfjs \`${name}\`${m.note ? ` (${m.note})` : ''}`, m.train, m.infer));
  for (const threads of [1, 2]) rows.push(row(`whole graph in onnxruntime, ${threads} thread${threads > 1 ? 's' : ''}`, [], onnx[threads]));
  rows.push('');
  rows.push("The training graph's inference cells are the whole-graph session with 2 threads (what the default engine runs for frozen passes).");
  const rel = Math.abs(firstLoss.graph - firstLoss.tfjs) / Math.abs(firstLoss.tfjs);
  rows.push(`first-step loss: graph ${firstLoss.graph.toFixed(6)}, tfjs ${firstLoss.tfjs.toFixed(6)} (relative difference ${rel.toExponential(2)}; ${rel <= 1e-3 ? 'within' : 'NOT within'} 1e-3)`);
  for (const [name, m] of ours) if (m.memory) rows.push(`memory on ${name}: ${m.memory}`);
  rows.push(`wasm-ort cached single-op sessions: ${wasmOrtSessions.size}`);
  rows.push(`export check: ${onnxCheck}`);
  process.stdout.write(rows.join('\n') + '\n');
  if (!(rel <= 1e-3)) process.exitCode = 1;
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
