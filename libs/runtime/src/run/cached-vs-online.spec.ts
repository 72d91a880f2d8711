import * as path from 'node:path';
import { loadConfig, type ComponentConfig, type LabelMap, type TrainingBatch } from '@zls/core';
import { labelTrainingSet, onlineTargets } from '@zls/engine';
import { selectBackend } from '@zls/backend';
import { TINY_SYNTHETIC_OVERRIDES, useTempDir } from '@zls/testing';
import { createRegistries } from '../registries';
import { createDataService } from '../services/data-service';
import { createModelService } from '../services/model-service';

const strict = path.resolve(__dirname, '../../../../experiments/strict/strict_synthetic-net_1000+400_synthetic-64.yaml');

describe('cached and online pseudo-labelling', () => {
  const dir = useTempDir('zls-cached-');

  it('give the same training targets under flip-only augmentation with a flip-closed view set', async () => {
    await selectBackend('wasm-ort');
    const registries = createRegistries();
    const { config } = loadConfig(strict, [...TINY_SYNTHETIC_OVERRIDES]);
    const data = createDataService({
      registries,
      dataset: config['dataset'] as ComponentConfig,
      splits: { train: 'train', eval: 'test', calibration: 'val' },
      // Flip + normalise only: under random scaling, cached labels are resized with the image (nearest), which
      // is close to, but not the same as, labelling the rescaled image.
      transforms: (config['transforms'] as ComponentConfig[]).filter((t) => t.type !== 'random-scale'),
      evalTransforms: config['evalTransforms'] as ComponentConfig[],
      workers: 0,
      scratchDir: dir(),
    });
    const generator = createModelService(registries, config['model'] as never, data.classSpace).create(3);
    const labeler = registries.pseudoLabeler.build({ type: 'consistency', scales: [], flip: true }, 'pseudoLabel');
    const unseen = data.classSpace.unseenIndices;

    // Cached: the un-augmented training set labelled once, mixed into the targets before the flip.
    const labelled = await labelTrainingSet(generator, labeler, data.pass('train', 8), unseen);
    const pseudoLabels = new Map<string, LabelMap>(labelled.map((s) => [s.id, s.pseudo]));
    const cached = await data.trainingBatches({ batchSize: 4, seed: 5, startStep: 0, pseudoLabels });
    // Online: the same augmented batches (same seed), labelled as they come.
    const plain = await data.trainingBatches({ batchSize: 4, seed: 5, startStep: 0 });
    const online = onlineTargets(generator, labeler, unseen);
    let labelledPixels = 0;
    for (let step = 0; step < 6; step++) {
      const a: TrainingBatch = await cached.next();
      const b: TrainingBatch = await plain.next();
      expect(a.ids).toEqual(b.ids);
      const mixed = await online(b);
      a.targets.forEach((t, i) => {
        expect(Array.from(t.data)).toEqual(Array.from(mixed[i].data));
        labelledPixels += t.data.filter((v, p) => v !== 255 && b.targets[i].data[p] === 255).length;
      });
    }
    expect(labelledPixels).toBeGreaterThan(0); // the comparison covered real pseudo-labels
    await Promise.all([cached.close(), plain.close()]);
    generator.dispose();
  }, 120_000);
});
