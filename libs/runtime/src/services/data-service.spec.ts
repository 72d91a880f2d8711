import { loadPlugins } from '@zls/core';
import { useTempDir, writeTinyDatasetPlugin } from '@zls/testing';
import { createRegistries } from '../registries';
import { createDataService } from './data-service';

// Worker threads compile their TypeScript on start (about 1–2 s each).
jest.setTimeout(60_000);

describe('createDataService with a plugin dataset', () => {
  const tmp = useTempDir('zls-data-service-');

  it('trains and evaluates on it with 2 loader threads: the plugins loaded into the registries reach them', async () => {
    const registries = createRegistries();
    await loadPlugins([writeTinyDatasetPlugin(tmp())], registries, tmp());
    const data = createDataService({
      registries,
      dataset: { type: 'tiny-plugin', count: 4 },
      splits: { train: 'train', eval: 'test', calibration: 'val' },
      transforms: [{ type: 'tiny-offset', by: 1 }],
      evalTransforms: [],
      workers: 2,
    });
    expect(data.classSpace.name).toBe('tiny-plugin');
    const batches = await data.trainingBatches({ batchSize: 2, seed: 5, startStep: 0 });
    try {
      const first = await batches.next();
      expect(first.shape).toEqual([2, 4, 4, 3]);
      // Image of sample i is filled with i, plus the plugin transform's offset.
      first.ids.forEach((id, n) => expect(first.images[48 * n]).toBe(Number(id.slice('tiny-'.length)) + 1));
    } finally {
      await batches.close();
    }
    const ids: string[] = [];
    for await (const b of data.pass('eval', 3)) ids.push(...b.ids);
    expect(ids).toEqual(['tiny-0', 'tiny-1', 'tiny-2', 'tiny-3']);
  });
});
