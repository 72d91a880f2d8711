/**
 * Where a training-graph step of the main job's net spends its time: onnxruntime's own profiler, kernel time
 * summed per op type and per node, for `--steps` steps after 2 warm-up steps.
 * With `--nodes OP`, also each node of that op type with its shapes.
 * With `--time`, no profiler: the median wall time of the steps instead (for A/B runs of two trees, alternated).
 * Usage: SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register bench/models/profile-graph-step.ts [--steps 10] [--infer] [--time] [--nodes Conv]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import { OnnxInferenceSession, selectBackend } from '@zls/backend';
import { normalValues } from '@zls/models';
import { BATCH, buildMainJobNet, mainJobGraphTrainer, median, seenPositions, SIZE } from './main-job-net';

const arg = (flag: string, fallback: string) => {
  const i = process.argv.indexOf(flag);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};

interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string; input_type_shape?: Record<string, number[]>[]; output_type_shape?: Record<string, number[]>[] };
}

/** Turns profiling on in every session created from here on; the profile files land in `dir`. */
function profileSessions(dir: string): void {
  const create = InferenceSession.create.bind(InferenceSession) as (...a: unknown[]) => Promise<InferenceSession>;
  (InferenceSession as unknown as { create: unknown }).create = (bytes: unknown, options: Record<string, unknown> = {}) =>
    create(bytes, { ...options, enableProfiling: true, profileFilePrefix: path.join(dir, 'zls') });
}

function summarise(file: string, steps: number): void {
  const events = (JSON.parse(fs.readFileSync(file, 'utf8')) as ProfileEvent[]).filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  const byOp = new Map<string, { us: number; nodes: Set<string> }>();
  for (const e of events) {
    const op = e.args?.op_name ?? '?';
    const entry = byOp.get(op) ?? { us: 0, nodes: new Set<string>() };
    entry.us += e.dur;
    entry.nodes.add(e.name);
    byOp.set(op, entry);
  }
  const total = [...byOp.values()].reduce((a, b) => a + b.us, 0);
  console.log(`${path.basename(file)}: kernel time ${(total / 1000 / steps).toFixed(1)} ms per run (${steps} runs incl. warm-up)`);
  for (const [op, { us, nodes }] of [...byOp].sort((a, b) => b[1].us - a[1].us).slice(0, 16)) {
    console.log(`  ${op.padEnd(28)} ${(us / 1000 / steps).toFixed(2).padStart(7)} ms  ${nodes.size} nodes`);
  }
  const nodesOf = arg('--nodes', '');
  if (!nodesOf) return;
  // Per node of one op type, with its input and output shapes: which layers the time goes to.
  const perNode = new Map<string, { us: number; shapes: string }>();
  for (const e of events.filter((ev) => ev.args?.op_name === nodesOf)) {
    const shapes = (list?: Record<string, number[]>[]) => (list ?? []).map((s) => `[${Object.values(s)[0]?.join(',')}]`).join(' ');
    const entry = perNode.get(e.name) ?? { us: 0, shapes: `${shapes(e.args?.input_type_shape)} → ${shapes(e.args?.output_type_shape)}` };
    entry.us += e.dur;
    perNode.set(e.name, entry);
  }
  for (const [name, { us, shapes }] of [...perNode].sort((a, b) => b[1].us - a[1].us).slice(0, 24)) {
    console.log(`    ${(us / 1000 / steps).toFixed(2).padStart(6)} ms  ${name.replace(/_kernel_time$/, '').slice(0, 40).padEnd(40)} ${shapes}`);
  }
}

async function main(): Promise<void> {
  const steps = Number(arg('--steps', '10'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zls-profile-'));
  const timeOnly = process.argv.includes('--time');
  if (!timeOnly) profileSessions(dir);
  const times: number[] = [];
  const timed = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  };
  await selectBackend('wasm-ort');
  const model = buildMainJobNet();
  const images = normalValues(BATCH * SIZE * SIZE * 3, 1, 3);
  if (process.argv.includes('--infer')) {
    const session = await OnnxInferenceSession.create(model.toOnnx(), { threads: 2 });
    for (let i = 0; i < steps; i++) await timed(() => session.run({ images: { data: images, dims: [BATCH, SIZE, SIZE, 3] } }));
    await session.dispose();
  } else {
    const trainer = await mainJobGraphTrainer(model);
    const targets = seenPositions();
    for (let i = 0; i < steps; i++) await timed(() => trainer.step(images, targets, 2e-3));
    await trainer.dispose();
  }
  model.dispose();
  if (timeOnly) console.log(`median ${median(times.slice(2)).toFixed(1)} ms over ${steps - 2} runs after 2 warm-up runs`);
  for (const f of fs.readdirSync(dir)) summarise(path.join(dir, f), steps);
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
