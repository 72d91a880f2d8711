import type { Registries } from '@zls/core';
import { SyntheticDataset, SyntheticDatasetOptions } from './synthetic-dataset';

export function registerSyntheticComponents(registries: Registries): void {
  registries.dataset.register(
    'synthetic',
    SyntheticDataset,
    SyntheticDatasetOptions,
    'built-in synthetic zero-label benchmark: 5 shapes × 4 colours, 5 unseen, generated from a seed',
    '@zls/data',
  );
}
