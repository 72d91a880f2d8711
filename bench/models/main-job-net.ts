import { Registries } from '@zls/core';
import type { GraphTrainer } from '@zls/core';
import { buildSegmentationModel, normalValues, registerModelComponents, type SegmentationNet } from '@zls/models';

/** The main job's batch: 16 images of 65×65 (4·16 + 1), 20 classes of which 15 seen. */
export const BATCH = 16;
export const SIZE = 65;
export const CLASSES = 20;
export const SEEN = Array.from({ length: CLASSES }, (_, i) => i).filter((c) => ![0, 5, 10, 15, 17].includes(c));

/** The main job's SPNet: synthetic-net width 32 + ASPP-lite projection to 300-d unit embeddings, corner-aligned. */
export function buildMainJobNet(): SegmentationNet {
  const r = new Registries();
  registerModelComponents(r);
  const embeddings = normalValues(CLASSES * 300, 1, 7);
  for (let c = 0; c < CLASSES; c++) {
    const row = embeddings.subarray(c * 300, (c + 1) * 300);
    const n = Math.hypot(...row);
    row.forEach((v, j) => (row[j] = v / n));
  }
  return buildSegmentationModel(
    r,
    { backbone: { type: 'synthetic-net', width: 32 }, head: { type: 'aspp-lite-projection', embeddingDim: 300 }, upsampling: 'align-corners' },
    { numClasses: CLASSES, embeddingDim: 300, embeddings },
  );
}

/** The main job's training graph for `model`: Adam, weight decay 1e-4, one onnxruntime graph a step, 2 threads. */
export async function mainJobGraphTrainer(model: SegmentationNet): Promise<GraphTrainer> {
  const trainer = await model.graphTrainer({
    batchShape: [BATCH, SIZE, SIZE, 3],
    classes: SEEN,
    slots: model.trainable().map((t) => ({ variable: t.variable, lrMultiplier: 1, weightDecay: 1e-4 })),
    optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    executionProviders: ['cpu'],
    threads: 2,
  });
  if (!trainer) throw new Error('the synthetic net built no training graph');
  return trainer;
}

const seenLabel = (i: number) => (i % 5 === 0 ? 255 : SEEN[i % SEEN.length]);

/** Targets of the batch as positions among the 15 seen scores (−1: ignored, every fifth pixel). */
export function seenPositions(): Int32Array {
  return Int32Array.from({ length: BATCH * SIZE * SIZE }, (_, i) => (seenLabel(i) === 255 ? -1 : SEEN.indexOf(seenLabel(i))));
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median ms of `reps` calls after 2 warm-up calls. */
export async function timeIt(fn: () => Promise<unknown> | unknown, reps: number): Promise<number> {
  for (let i = 0; i < 2; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}
