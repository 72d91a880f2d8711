import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writePseudoLabelFile } from '../pseudo-labels/pseudo-label-file';
import { SyntheticDataset, syntheticOptions } from '../synthetic/synthetic-dataset';
import { BatchLoader } from './batch-loader';
import type { Batch } from './batch';
import type { LoaderSource } from './loader-source';

const source: LoaderSource = {
  dataset: { type: 'synthetic', nTrain: 22, size: 32, seed: 4 },
  transforms: [
    { type: 'random-scale', min: 0.75, max: 1.25 },
    { type: 'pad', height: 28, width: 28 },
    { type: 'random-crop', height: 28, width: 28 },
    { type: 'horizontal-flip' },
    { type: 'normalize', preset: 'synthetic' },
  ],
};

async function collect(loader: BatchLoader, epoch: number, skip = 0): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of loader.epoch(epoch, skip)) out.push(b);
  return out;
}

function sameBatches(a: Batch[], b: Batch[]): void {
  expect(a.map((x) => x.ids)).toEqual(b.map((x) => x.ids));
  a.forEach((x, i) => {
    expect(x.batchIndex).toBe(b[i].batchIndex);
    expect(Buffer.from(x.images.buffer).equals(Buffer.from(b[i].images.buffer))).toBe(true);
    expect(Buffer.from(x.targets).equals(Buffer.from(b[i].targets))).toBe(true);
    expect(Buffer.from(x.hidden).equals(Buffer.from(b[i].hidden))).toBe(true);
  });
}

// Worker threads compile their TypeScript on start (about 1–2 s each): the loaders are made once, together.
jest.setTimeout(60_000);

describe('BatchLoader', () => {
  let inline: BatchLoader;
  let one: BatchLoader;
  let two: BatchLoader;
  beforeAll(async () => {
    [inline, one, two] = await Promise.all([0, 1, 2].map((workers) => BatchLoader.create({ source, batchSize: 4, seed: 9, workers })));
  });
  afterAll(() => Promise.all([inline, one, two].map((l) => l?.close())));

  it('yields the same batches in this thread, with 1 worker and with 2 workers', async () => {
    const ref = [...(await collect(inline, 0)), ...(await collect(inline, 1))];
    expect(ref.length).toBe(12); // 22 samples → 6 batches per epoch (last of 2), 2 epochs
    expect(ref[5].size).toBe(2);
    expect(ref[0].images.length).toBe(4 * 28 * 28 * 3);
    sameBatches([...(await collect(one, 0)), ...(await collect(one, 1))], ref);
    sameBatches([...(await collect(two, 0)), ...(await collect(two, 1))], ref);
    // Epochs are reshuffled and every sample appears once per epoch.
    const epoch0 = ref.slice(0, 6).flatMap((b) => b.indices);
    const epoch1 = ref.slice(6).flatMap((b) => b.indices);
    expect([...epoch0].sort((a, b) => a - b)).toEqual(Array.from({ length: 22 }, (_, i) => i));
    expect(epoch1).not.toEqual(epoch0);
  });

  it('skips the first batches of an epoch (resume), keeping the rest identical', async () => {
    const all = await collect(inline, 3);
    for (const loader of [inline, two]) {
      const rest = await collect(loader, 3, 4);
      expect(rest.map((b) => b.batchIndex)).toEqual([4, 5]);
      sameBatches(rest, all.slice(4));
    }
  });

  it('can stop an epoch early and still serve the next one', async () => {
    for await (const b of two.epoch(5)) {
      expect(b.batchIndex).toBe(0);
      break;
    }
    sameBatches(await collect(two, 6), await collect(inline, 6));
  });

  it('drops the short last batch when asked', async () => {
    const loader = await BatchLoader.create({ source, batchSize: 4, seed: 9, workers: 0, dropLast: true });
    expect(loader.batchesPerEpoch()).toBe(5);
    expect((await collect(loader, 0)).map((b) => b.size)).toEqual([4, 4, 4, 4, 4]);
    await loader.close();
  });

  it('reports a worker that cannot build its source', async () => {
    await expect(BatchLoader.create({ source: { dataset: { type: 'nope' } }, batchSize: 2, seed: 0, workers: 1 })).rejects.toThrow(
      /loader worker failed to start: .*unknown dataset "nope"/s,
    );
  });

  it('passes a transform error from a worker to the consumer', async () => {
    const bad: LoaderSource = { dataset: { type: 'synthetic', nTrain: 4, size: 16 }, transforms: [{ type: 'random-crop', height: 20, width: 20 }] };
    const loader = await BatchLoader.create({ source: bad, batchSize: 2, seed: 0, workers: 1 });
    try {
      const it = loader.epoch(0);
      await expect(it.next()).rejects.toThrow(/smaller than the 20×20 crop/);
    } finally {
      await loader.close();
    }
  });
});

describe('BatchLoader with pseudo-labels', () => {
  it('mixes a pseudo-label file into the targets in the worker threads', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zls-loader-pl-'));
    try {
      const plain: LoaderSource = { dataset: { type: 'synthetic', nTrain: 4, size: 16, seed: 1 } };
      const ds = new SyntheticDataset(syntheticOptions({ nTrain: 4, size: 16, seed: 1 }));
      // Pseudo-label every pixel with class 19; only pixels the target leaves unlabelled may take it.
      const labels = new Map(ds.ids.map((id) => [id, { data: new Uint8Array(256).fill(19), height: 16, width: 16 }]));
      const file = path.join(dir, 'round-1.bin');
      writePseudoLabelFile(file, labels);
      const loader = await BatchLoader.create({ source: { ...plain, pseudoLabelsFile: file }, batchSize: 4, seed: 0, workers: 1, shuffle: false });
      try {
        const [batch] = await collectAll(loader.epoch(0));
        const expected = new Uint8Array(4 * 256);
        for (let i = 0; i < 4; i++) {
          const t = ds.sample(i).target.data;
          for (let p = 0; p < 256; p++) expected[i * 256 + p] = t[p] === 255 ? 19 : t[p];
        }
        expect(Array.from(batch.targets)).toEqual(Array.from(expected));
        expect(batch.targets.includes(255)).toBe(false);
        expect(Array.from(batch.hidden.subarray(0, 256))).toEqual(Array.from(ds.sample(0).hidden.data));
      } finally {
        await loader.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function collectAll(it: AsyncGenerator<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of it) out.push(b);
  return out;
}
