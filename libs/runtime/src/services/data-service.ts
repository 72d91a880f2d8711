import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';
import {
  configHash,
  type BatchSource,
  type ClassSpace,
  type ComponentConfig,
  type DataService,
  type LabelMap,
  type PluginSource,
  type Registries,
  type SplitRole,
  type TrainingBatch,
} from '@zls/core';
import { BatchLoader, DATA_REGISTRATIONS, writePseudoLabelFile, type Batch } from '@zls/data';

export interface DataServiceOptions {
  registries: Registries;
  dataset: ComponentConfig;
  splits: Record<SplitRole, string>;
  transforms: readonly ComponentConfig[];
  evalTransforms: readonly ComponentConfig[];
  workers: number;
  /**
   * Plugin packages the loader threads import after the built-ins, so that a plugin's dataset and transforms
   * work there too (default: those loaded into `registries`).
   */
  plugins?: readonly PluginSource[];
  /** Where a round's pseudo-labels are written for the loader threads (default: the OS temp folder). */
  scratchDir?: string;
}

function toTrainingBatch(b: Batch): TrainingBatch {
  const size = b.height * b.width;
  const maps = (all: Uint8Array): LabelMap[] =>
    Array.from({ length: b.size }, (_, i) => ({ data: all.subarray(i * size, (i + 1) * size), height: b.height, width: b.width }));
  return { ids: b.ids, images: b.images, shape: [b.size, b.height, b.width, b.channels], targets: maps(b.targets), hidden: maps(b.hidden) };
}

/** The data library behind the engine's DataService: batches from loader threads, per split. */
export function createDataService(options: DataServiceOptions): DataService {
  const { registries } = options;
  const plugins = options.plugins ?? [...registries.plugins];
  const datasetFor = (role: SplitRole): ComponentConfig => ({ ...options.dataset, split: options.splits[role] });
  const trainSet = registries.dataset.build(datasetFor('train'), 'dataset');
  const classSpace: ClassSpace = trainSet.classSpace;
  const sizes = new Map<SplitRole, number>([['train', trainSet.ids.length]]);

  return {
    classSpace,

    async size(role: SplitRole): Promise<number> {
      if (!sizes.has(role)) sizes.set(role, registries.dataset.build(datasetFor(role), 'dataset').ids.length);
      return sizes.get(role) as number;
    },

    async trainingBatches({ batchSize, seed, startStep, pseudoLabels }): Promise<BatchSource> {
      let pseudoLabelsFile: string | undefined;
      if (pseudoLabels) {
        const dir = options.scratchDir ?? os.tmpdir();
        pseudoLabelsFile = path.join(dir, `pseudo-labels-${process.pid}-${configHash({ seed, n: pseudoLabels.size, t: Date.now() })}.bin`);
        writePseudoLabelFile(pseudoLabelsFile, pseudoLabels);
      }
      const loader = await BatchLoader.create({
        source: { registrations: DATA_REGISTRATIONS, plugins, dataset: datasetFor('train'), transforms: options.transforms, pseudoLabelsFile },
        batchSize,
        seed,
        workers: options.workers,
        shuffle: true,
        dropLast: true,
      });
      const perEpoch = loader.batchesPerEpoch();
      if (perEpoch === 0) {
        await loader.close();
        throw new Error(`training split has ${loader.datasetSize} images, fewer than one batch of ${batchSize}`);
      }
      // Epoch e, batch b is step e·perEpoch + b: a resumed stage continues the exact same stream.
      async function* stream(): AsyncGenerator<TrainingBatch> {
        for (let epoch = Math.floor(startStep / perEpoch); ; epoch++) {
          const skip = epoch === Math.floor(startStep / perEpoch) ? startStep % perEpoch : 0;
          for await (const batch of loader.epoch(epoch, skip)) yield toTrainingBatch(batch);
        }
      }
      const it = stream();
      return {
        next: async () => (await it.next()).value as TrainingBatch,
        close: async () => {
          await it.return(undefined);
          await loader.close();
          if (pseudoLabelsFile) fs.rmSync(pseudoLabelsFile, { force: true });
        },
      };
    },

    async *pass(role: SplitRole, batchSize: number): AsyncGenerator<TrainingBatch> {
      const loader = await BatchLoader.create({
        source: { registrations: DATA_REGISTRATIONS, plugins, dataset: datasetFor(role), transforms: options.evalTransforms },
        batchSize,
        seed: 0,
        workers: options.workers,
        shuffle: false,
        dropLast: false,
      });
      try {
        for await (const batch of loader.epoch(0)) yield toTrainingBatch(batch);
      } finally {
        await loader.close();
      }
    },
  };
}
