/**
 * Reference-model benchmark: training step and inference, per tfjs backend, the whole graph in onnxruntime,
 * and PyTorch 1.13 (1 and 2 threads) when python3-torch is installed. Rounds alternate between PyTorch and
 * ours so that load from other processes hits both; medians over rounds are reported.
 * Usage: node -r @swc-node/register bench/engine/bench-engine.ts [--rounds 3] [--reps 10] [--backends wasm-ort,wasm-ort:unfused,wasm,cpu]
 *        [--batch 8] [--no-torch]   (':unfused' composes batch norm and loss from tfjs ops instead of the fused
 *        ops; ':2threads' runs the single-op sessions with two intra-op threads; ':infer' measures inference only,
 *        e.g. cpu:infer, since a cpu training step takes minutes)
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { OnnxInferenceSession, selectBackend, wasmOrtSessions } from '@zls/backend';
import { exportReferenceOnnx } from './export-reference-onnx';
import { createEmbeddings, createParams, forward, loss, NUM_CLASSES, useFusedBatchNorm } from './reference-model';

interface Args {
  rounds: number;
  reps: number;
  batch: number;
  size: number;
  backends: string[];
  torch: boolean;
}

function parseArgs(argv: string[]): Args {
  const get = (flag: string, fallback: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
  };
  return {
    rounds: Number(get('--rounds', '3')),
    reps: Number(get('--reps', '10')),
    batch: Number(get('--batch', '8')),
    size: Number(get('--size', '96')),
    backends: get('--backends', 'wasm-ort,wasm-ort:unfused,wasm').split(','),
    torch: !argv.includes('--no-torch'),
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

function torchRun(threads: number, a: Args): { train_ms: number[]; infer_ms: number[]; torch: string } | null {
  const r = spawnSync('/usr/bin/python3', [join(__dirname, 'reference_model.py'), String(threads), String(a.reps), String(a.batch), String(a.size)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) return null;
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

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const torch: Record<number, { train: number[]; infer: number[] }> = { 1: { train: [], infer: [] }, 2: { train: [], infer: [] } };
  let torchVersion = '';
  const ours = new Map<string, Measure>(a.backends.map((b) => [b, { train: [], infer: [], note: '' }]));
  const onnx: Record<number, number[]> = { 1: [], 2: [] };
  let onnxCheck = '';
  for (let round = 0; round < a.rounds; round++) {
    for (const threads of a.torch ? [1, 2] : []) {
      const r = torchRun(threads, a);
      if (r) {
        torch[threads].train.push(...r.train_ms);
        torch[threads].infer.push(...r.infer_ms);
        torchVersion = r.torch;
      }
    }
    for (const [name, m] of ours) await measureBackend(name, a, m);
    for (const threads of [1, 2]) onnxCheck = await measureOnnx(a, threads, onnx[threads]);
    process.stderr.write(`round ${round + 1}/${a.rounds} done\n`);
  }
  // Median and minimum of all samples: on a shared machine the minimum is the least disturbed run.
  const stat = (xs: number[]) => ({ med: median(xs), min: xs.length ? Math.min(...xs) : NaN });
  const ref1 = { train: stat(torch[1].train), infer: stat(torch[1].infer) };
  const ref2 = { train: stat(torch[2].train), infer: stat(torch[2].infer) };
  const ratio = (v: number, r: number) => (Number.isFinite(v) && Number.isFinite(r) ? `${(v / r).toFixed(2)}×` : '–');
  const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '–');
  const cells = (xs: number[], r1: { med: number; min: number }, r2: { med: number; min: number }) => {
    if (!xs.length) return '– | – | –';
    const s = stat(xs);
    return `${fmt(s.med)} / ${fmt(s.min)} | ${ratio(s.med, r1.med)} / ${ratio(s.min, r1.min)} | ${ratio(s.med, r2.med)} / ${ratio(s.min, r2.min)}`;
  };
  const rows: string[] = [
    `reference model, batch ${a.batch}×${a.size}×${a.size}×3; every cell is median / min over ${a.rounds} rounds × ${a.reps} reps`,
    '| configuration | train ms | × PyTorch 1 thr | × PyTorch 2 thr | inference ms | × PyTorch 1 thr | × PyTorch 2 thr |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const threads of [1, 2]) {
    if (!torch[threads].train.length) continue;
    rows.push(`| PyTorch ${torchVersion}, ${threads} thread${threads > 1 ? 's' : ''} | ${cells(torch[threads].train, ref1.train, ref2.train)} | ${cells(torch[threads].infer, ref1.infer, ref2.infer)} |`);
  }
  for (const [name, m] of ours) {
    rows.push(`| tfjs \`${name}\`${m.note ? ` (${m.note})` : ''} | ${cells(m.train, ref1.train, ref2.train)} | ${cells(m.infer, ref1.infer, ref2.infer)} |`);
  }
  for (const threads of [1, 2]) {
    rows.push(`| whole graph in onnxruntime, ${threads} thread${threads > 1 ? 's' : ''} | | | | ${cells(onnx[threads], ref1.infer, ref2.infer)} |`);
  }
  rows.push('');
  for (const [name, m] of ours) if (m.memory) rows.push(`memory on ${name}: ${m.memory}`);
  rows.push(`wasm-ort cached single-op sessions: ${wasmOrtSessions.size}`);
  rows.push(`export check: ${onnxCheck}`);
  process.stdout.write(rows.join('\n') + '\n');
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
