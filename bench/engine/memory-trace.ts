/**
 * Resident memory, wasm heap and tensor count every 10 steps over 100 training steps of the reference model.
 * Usage: node -r @swc-node/register bench/engine/memory-trace.ts [backend=wasm-ort] [steps=100]
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@zls/backend';
import { createEmbeddings, createParams, loss, NUM_CLASSES } from './reference-model';

async function main(): Promise<void> {
  const backend = process.argv[2] ?? 'wasm-ort';
  const steps = Number(process.argv[3] ?? '100');
  await selectBackend(backend);
  const params = createParams(1);
  const embeddings = createEmbeddings(2);
  const images = tf.randomNormal([8, 96, 96, 3]) as tf.Tensor4D;
  const labels = tf.tensor3d(Int32Array.from({ length: 8 * 96 * 96 }, (_, i) => i % NUM_CLASSES), [8, 96, 96], 'int32');
  const optimizer = tf.train.momentum(0.01, 0.9);
  const step = () => optimizer.minimize(() => loss(params, images, labels, embeddings), true, Object.values(params))?.dispose();
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  for (let i = 1; i <= steps; i++) {
    step();
    if (i === 1 || i % 10 === 0) {
      const heap = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.length;
      process.stdout.write(`step ${String(i).padStart(3)}: RSS ${mib(process.memoryUsage().rss)}, wasm heap ${heap ? mib(heap) : '–'}, tensors ${tf.memory().numTensors}\n`);
    }
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
