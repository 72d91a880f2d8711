import { loadPlugins, Registries } from '@zls/core';
import { useTempDir, writeTinyDatasetPlugin } from '@zls/testing';
import { DATA_REGISTRATIONS } from '../registrations';
import { BatchLoader } from './batch-loader';
import type { Batch } from './batch';
import type { LoaderSource } from './loader-source';

// Worker threads compile their TypeScript on start (about 1–2 s each).
jest.setTimeout(60_000);

describe('BatchLoader with a plugin dataset and transform', () => {
  const tmp = useTempDir('zls-plugin-loader-');

  async function batches(source: LoaderSource, workers: number): Promise<Batch[]> {
    const loader = await BatchLoader.create({ source, batchSize: 2, seed: 3, workers, shuffle: false });
    try {
      const out: Batch[] = [];
      for await (const b of loader.epoch(0)) out.push(b);
      return out;
    } finally {
      await loader.close();
    }
  }

  it('yields its samples in 2 loader threads, which import the plugin from the folder it was resolved from', async () => {
    const name = writeTinyDatasetPlugin(tmp());
    const registries = new Registries();
    await loadPlugins([name], registries, tmp());
    const source: LoaderSource = {
      registrations: DATA_REGISTRATIONS,
      plugins: registries.plugins,
      dataset: { type: 'tiny-plugin', split: 'train', count: 5 },
      transforms: [{ type: 'tiny-offset', by: 10 }],
    };
    const threaded = await batches(source, 2);
    expect(threaded.flatMap((b) => b.ids)).toEqual(['tiny-0', 'tiny-1', 'tiny-2', 'tiny-3', 'tiny-4']);
    expect(threaded.map((b) => b.size)).toEqual([2, 2, 1]);
    // The plugin's transform ran in the thread: sample i's pixels are i + 10.
    expect(threaded[1].images[0]).toBe(12);
    expect(threaded[1].images[48]).toBe(13);
    expect([...threaded[1].targets.subarray(0, 16)]).toEqual(new Array(16).fill(0));
    expect([...threaded[1].targets.subarray(16)]).toEqual(new Array(16).fill(1));
    expect(await batches(source, 0)).toEqual(threaded);
  });

  it('without the plugin the threads do not know its dataset', async () => {
    const source: LoaderSource = { registrations: DATA_REGISTRATIONS, dataset: { type: 'tiny-plugin' } };
    await expect(batches(source, 1)).rejects.toThrow(/unknown dataset "tiny-plugin"/);
  });
});
