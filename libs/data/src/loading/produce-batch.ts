import type { SegSample } from '@zls/core';
import type { BuiltSource } from './loader-source';
import { assembleBatch, checkSameSize, type Batch } from './batch';
import { sampleRng } from './batch-plan';

/**
 * Loads, transforms and packs one batch: the unit of work of a loader thread. The next sample is requested
 * before the current one is transformed, so its decoding (sharp runs it on the libuv pool) overlaps the
 * JavaScript work. When the pipeline ends in a normalisation, samples are normalised straight into the batch.
 */
export async function produceBatch(
  source: BuiltSource,
  seed: number,
  epoch: number,
  batchIndex: number,
  indices: readonly number[],
): Promise<Batch> {
  const where = `${source.dataset.name}:${source.dataset.split}`;
  const { transform, dataset } = source;
  const pending: Promise<SegSample>[] = [];
  const load = (n: number): Promise<SegSample> | undefined => {
    if (n >= indices.length) return undefined;
    const p = dataset.get(indices[n]);
    p.catch(() => undefined); // awaited below; this only keeps an abandoned request from being "unhandled"
    return (pending[n] = p);
  };
  load(0);
  const next = async (n: number): Promise<SegSample> => {
    load(n + 1);
    return pending[n];
  };

  const first = transform.apply(await next(0), sampleRng(seed, epoch, indices[0]));
  const samples: SegSample[] = [first];
  if (!transform.endsInNormalization || indices.length === 1) {
    for (let n = 1; n < indices.length; n++) samples.push(transform.apply(await next(n), sampleRng(seed, epoch, indices[n])));
    return assembleBatch(samples, epoch, batchIndex, indices, where);
  }
  const { height, width, channels } = first.image;
  const perImage = height * width * channels;
  const images = new Float32Array(indices.length * perImage);
  images.set(first.image.data);
  for (let n = 1; n < indices.length; n++) {
    const labels = transform.applyInto(await next(n), sampleRng(seed, epoch, indices[n]), images, n * perImage);
    // applyInto leaves the pre-normalisation image in the sample: its size is checked, not its values.
    checkSameSize(labels, first, where);
    samples.push(labels);
  }
  return assembleBatch(samples, epoch, batchIndex, indices, where, images);
}
