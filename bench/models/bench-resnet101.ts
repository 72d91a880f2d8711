/**
 * The paper's SPNet network (experiments/_base_/models/spnet_r101.yaml: DeepLab-v2 ResNet-101 with the Caffe stem,
 * output stride 8 and frozen batch norm, ASPP-v2 projection to 600-d, fixed class embeddings of 20 classes) — one
 * SGD training step (momentum 0.9, weight decay 5e-4, head ×10 / head bias ×20) on B crops of size×size over the
 * 15 seen classes, for each batch size, on each zls engine:
 *   graph: the default engine, one onnxruntime training graph per step (model.graphTrainer, 2 threads);
 *   tfjs:  tfjs autodiff on the wasm-ort backend with @zls/engine's SgdMomentum (opt-in: --engines graph,tfjs).
 * Each (engine, batch) configuration runs in its own child process, which reports its peak resident set; the
 * reference is the fastest of resnet101_reference.py's PyTorch variants at that batch (each variant in its own
 * process too; needs /usr/bin/python3 with torch), and the table names it.
 *
 * Random weights: every bottleneck's last batch-norm γ is set to --bn3-gamma (0.2, both here and in PyTorch) so the
 * 33 residual additions do not drive activations to ~1e5, and the embeddings are unit rows; the losses are printed so
 * a reader sees they stayed finite.
 *
 * Usage: SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register bench/models/bench-resnet101.ts \
 *          [--batches 2,8] [--reps 2] [--size 321] [--engines graph] [--threads 2] [--lr 2.5e-4] [--no-torch]
 *          [--torch-variants fused,fused+channels_last]
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@zls/backend';
import { Registries } from '@zls/core';
import { deeplabParamGroup, SgdMomentum } from '@zls/engine';
import { buildSegmentationModel, maskedCrossEntropy, normalValues, registerModelComponents, type SegmentationModelConfig } from '@zls/models';

const CLASSES = 20;
const DIM = 600;
const SEEN = Array.from({ length: CLASSES }, (_, i) => i).filter((c) => ![0, 5, 10, 15, 17].includes(c));
const WEIGHT_DECAY = 5e-4;
const CHILD_ENV = 'ZLS_BENCH_R101_CHILD';
/** experiments/_base_/models/spnet_r101.yaml's model section. */
const MODEL: SegmentationModelConfig = {
  backbone: { type: 'resnet', depth: 101, outputStride: 8, caffeStem: true, frozenBn: true },
  head: { type: 'aspp-v2-projection', rates: [6, 12, 18, 24], embeddingDim: DIM },
  classifier: 'embeddings',
};

type Engine = 'graph' | 'tfjs';
interface ChildConfig {
  engine: Engine;
  batch: number;
  size: number;
  reps: number;
  lr: number;
  threads: number;
  bn3Gamma: number;
}
interface Measured {
  s_per_step: number;
  times: number[];
  losses: number[];
  setup_s: number;
  peak_rss_kb: number;
  params?: number;
}
type Outcome = Measured | { error: string };
interface TorchResult {
  torch: string;
  threads: number;
  variants: Record<string, Outcome>;
  fastest: string | null;
  s_per_step: number | null;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const isError = (o: Outcome): o is { error: string } => 'error' in o;

// ---------------------------------------------------------------- child: one (engine, batch) configuration

function buildModel(bn3Gamma: number) {
  const r = new Registries();
  registerModelComponents(r);
  const embeddings = normalValues(CLASSES * DIM, 1, 7);
  for (let c = 0; c < CLASSES; c++) {
    const row = embeddings.subarray(c * DIM, (c + 1) * DIM);
    const n = Math.hypot(...row);
    row.forEach((v, j) => (row[j] = v / n));
  }
  const model = buildSegmentationModel(r, MODEL, { numClasses: CLASSES, embeddingDim: DIM, embeddings });
  let scaled = 0;
  for (const [name, v] of model.namedVariables()) {
    if (!/\.bn3\.weight$/.test(name)) continue;
    tf.tidy(() => v.assign(tf.fill(v.shape, bn3Gamma)));
    scaled++;
  }
  if (scaled !== 33) throw new Error(`expected 33 bottleneck bn3 scales in ResNet-101, found ${scaled}`);
  return model;
}

/** DeepLab's groups: backbone ×1, head weights ×10, head biases ×20 without weight decay. */
function slots(model: ReturnType<typeof buildModel>) {
  return model.trainable().map((t) => {
    const g = deeplabParamGroup(t.role === 'head', t.isBias);
    return { variable: t.variable, lrMultiplier: g.lrMultiplier, weightDecay: g.weightDecay ? WEIGHT_DECAY : 0 };
  });
}

/** Targets as positions among the 15 seen scores (−1: ignored): every fifth pixel ignored, as the PyTorch twin. */
const positions = (n: number) => Int32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? -1 : i % SEEN.length));

async function measureSteps(step: () => Promise<number>, reps: number): Promise<{ times: number[]; losses: number[] }> {
  const times: number[] = [];
  const losses: number[] = [];
  for (let i = 0; i < 1 + reps; i++) {
    const t = performance.now();
    losses.push(await step());
    if (i > 0) times.push((performance.now() - t) / 1000);
  }
  return { times, losses };
}

async function runChild(c: ChildConfig): Promise<Measured> {
  const t0 = performance.now();
  await selectBackend('wasm-ort');
  const model = buildModel(c.bn3Gamma);
  const params = model.trainable().reduce((s, t) => s + t.variable.size, 0);
  const pixels = c.batch * c.size * c.size;
  const imageData = normalValues(pixels * 3, 1, 3);
  const targets = positions(pixels);
  let result: { times: number[]; losses: number[] };
  let setup: number;
  if (c.engine === 'graph') {
    const trainer = await model.graphTrainer({
      batchShape: [c.batch, c.size, c.size, 3],
      classes: SEEN,
      slots: slots(model),
      optimizer: { kind: 'sgd', momentum: 0.9 },
      executionProviders: ['cpu'],
      threads: c.threads,
    });
    if (!trainer) throw new Error('the ResNet-101 model built no training graph');
    setup = (performance.now() - t0) / 1000;
    result = await measureSteps(() => trainer.step(imageData, targets, c.lr), c.reps);
    await trainer.dispose();
  } else {
    const images = tf.tensor4d(imageData, [c.batch, c.size, c.size, 3]);
    const labels = tf.tensor3d(Int32Array.from(targets, (p) => (p < 0 ? 255 : p)), [c.batch, c.size, c.size], 'int32');
    const s = slots(model);
    const opt = new SgdMomentum(s, 0.9);
    const vars = s.map((x) => x.variable);
    setup = (performance.now() - t0) / 1000;
    result = await measureSteps(async () => {
      const { value, grads } = tf.variableGrads(() => maskedCrossEntropy(model.forward(images, true, SEEN), labels), vars);
      opt.apply(
        vars.map((v) => grads[v.name]),
        c.lr,
      );
      const loss = (await value.data())[0];
      tf.dispose([value, ...Object.values(grads)]);
      return loss;
    }, c.reps);
    opt.dispose();
    tf.dispose([images, labels]);
  }
  model.dispose();
  return { s_per_step: median(result.times), ...result, setup_s: setup, peak_rss_kb: process.resourceUsage().maxRSS, params };
}

// ---------------------------------------------------------------- parent: spawn, collect, print

const arg = (flag: string, fallback: string) => {
  const i = process.argv.indexOf(flag);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};

function lastJson<T>(stdout: string): T {
  return JSON.parse(stdout.trim().split('\n').pop() as string) as T;
}

function spawnZls(c: ChildConfig): Outcome {
  const run = spawnSync(process.execPath, [...process.execArgv, __filename], {
    env: { ...process.env, [CHILD_ENV]: JSON.stringify(c) },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (run.status !== 0) {
    const why = run.signal ? `killed by ${run.signal}` : `exit ${run.status}`;
    return { error: `${why}: ${(run.stderr ?? '').trim().split('\n').slice(-1)[0] ?? ''}` };
  }
  return lastJson<Measured>(run.stdout);
}

function spawnTorch(batch: number, size: number, reps: number, threads: number, lr: number, bn3Gamma: number): TorchResult | { error: string } {
  const python = process.env['PYTHON'] ?? '/usr/bin/python3';
  const args = [path.join(__dirname, 'resnet101_reference.py'), '--batch', String(batch), '--size', String(size), '--reps', String(reps), '--threads', String(threads), '--lr', String(lr), '--bn3-gamma', String(bn3Gamma)];
  // --torch-variants: only these PyTorch variants (batch 8 takes about a minute a step in each); default all.
  const variants = arg('--torch-variants', '');
  if (variants) args.push('--variants', variants);
  const run = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) return { error: `${python} ${run.signal ? `killed by ${run.signal}` : `exit ${run.status}`}: ${(run.stderr ?? '').trim().split('\n').slice(-1)[0] ?? ''}` };
  return lastJson<TorchResult>(run.stdout);
}

const gb = (kb: number) => (kb / 1024 / 1024).toFixed(2);
const lossText = (ls: number[]) => ls.map((l) => (Number.isFinite(l) ? l.toPrecision(4) : String(l))).join(', ');

async function main(): Promise<void> {
  const child = process.env[CHILD_ENV];
  if (child) {
    console.log(JSON.stringify(await runChild(JSON.parse(child) as ChildConfig)));
    return;
  }
  const batches = arg('--batches', '2,8').split(',').filter(Boolean).map(Number);
  const reps = Number(arg('--reps', '2'));
  const size = Number(arg('--size', '321'));
  const threads = Number(arg('--threads', '2'));
  const lr = Number(arg('--lr', '2.5e-4'));
  const bn3Gamma = Number(arg('--bn3-gamma', '0.2'));
  const engines = arg('--engines', 'graph').split(',').filter(Boolean) as Engine[];
  for (const e of engines) if (e !== 'graph' && e !== 'tfjs') throw new Error(`unknown engine '${e}' (graph, tfjs)`);
  const torch = !process.argv.includes('--no-torch');

  const rows: string[] = [];
  const notes: string[] = [];
  for (const batch of batches) {
    let ref: { name: string; s: number } | undefined;
    if (torch) {
      const t = spawnTorch(batch, size, reps, threads, lr, bn3Gamma);
      if ('error' in t) notes.push(`batch ${batch}: no PyTorch reference (${t.error})`);
      else {
        if (t.fastest && t.s_per_step !== null) ref = { name: t.fastest, s: t.s_per_step };
        for (const [name, o] of Object.entries(t.variants)) {
          if (isError(o)) rows.push(`| PyTorch ${t.torch} ${name}, ${t.threads} threads | ${batch} | failed: ${o.error} | | | |`);
          else rows.push(`| PyTorch ${t.torch} ${name}, ${t.threads} threads | ${batch} | ${o.s_per_step.toFixed(2)} | ${gb(o.peak_rss_kb)} | ${ref ? `${(o.s_per_step / ref.s).toFixed(2)} (${ref.name})` : 'n/a'} | ${lossText(o.losses)} |`);
        }
      }
    }
    for (const engine of engines) {
      const o = spawnZls({ engine, batch, size, reps, lr, threads, bn3Gamma });
      const label = engine === 'graph' ? `zls training graph (onnxruntime, ${threads} threads; default)` : 'zls tfjs autodiff on wasm-ort';
      if (isError(o)) rows.push(`| ${label} | ${batch} | failed: ${o.error} | | | |`);
      else {
        rows.push(`| ${label} | ${batch} | ${o.s_per_step.toFixed(2)} | ${gb(o.peak_rss_kb)} | ${ref ? `${(o.s_per_step / ref.s).toFixed(2)} (${ref.name})` : 'n/a'} | ${lossText(o.losses)} |`);
        notes.push(`batch ${batch} ${engine}: setup (${engine === 'graph' ? 'build + training graph' : 'build'}) ${o.setup_s.toFixed(1)} s, ${o.params} trained parameters`);
      }
    }
  }
  console.log(`SPNet ResNet-101 (spnet_r101.yaml), ${size}×${size} crops, SGD lr ${lr}, bn3 γ ${bn3Gamma}, 1 warm-up step then median of ${reps}; ratio against the fastest PyTorch variant at the same batch`);
  console.log('| engine | batch | s/step | peak RSS GB | × fastest PyTorch (variant) | losses (warm-up first) |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  for (const n of notes) console.log(n);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
