/**
 * Where a reference-model training step spends its time on one backend: wall time per kernel name, summed.
 * Usage: node -r @swc-node/register bench/engine/profile-step.ts [backend=wasm-ort] [batch=8]
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@zls/backend';
import { createEmbeddings, createParams, loss, NUM_CLASSES } from './reference-model';

async function main(): Promise<void> {
  const backend = process.argv[2] ?? 'wasm-ort';
  const batch = Number(process.argv[3] ?? '8');
  await selectBackend(backend);
  const params = createParams(1);
  const embeddings = createEmbeddings(2);
  const images = tf.randomNormal([batch, 96, 96, 3]) as tf.Tensor4D;
  const labels = tf.tensor3d(Int32Array.from({ length: batch * 96 * 96 }, (_, i) => i % NUM_CLASSES), [batch, 96, 96], 'int32');
  const optimizer = tf.train.momentum(0.01, 0.9);
  const step = () => optimizer.minimize(() => loss(params, images, labels, embeddings), true, Object.values(params))?.dispose();
  step();
  step();
  const t = performance.now();
  const info = await tf.profile(step);
  const wall = performance.now() - t;
  const byName = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += Number(k.kernelTimeMs);
    e.calls += 1;
    byName.set(k.name, e);
  }
  const total = [...byName.values()].reduce((s, e) => s + e.ms, 0);
  process.stdout.write(`${backend}: step wall ${wall.toFixed(0)} ms (profiled), kernels ${total.toFixed(0)} ms\n`);
  for (const [name, e] of [...byName].sort((x, y) => y[1].ms - x[1].ms).slice(0, 30)) {
    process.stdout.write(`${name.padEnd(28)} ${e.ms.toFixed(1).padStart(8)} ms  ${String(e.calls).padStart(4)} calls\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
