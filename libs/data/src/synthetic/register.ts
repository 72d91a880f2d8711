import { DATASET_FAMILY_KIND, type DatasetFamily, type Registries } from '@zls/core';
import { DatasetFamilyOptions } from '../families/dataset-family-options';
import { SyntheticDataset, SyntheticDatasetOptions } from './synthetic-dataset';
import { SyntheticFamily } from './synthetic-family';

export function registerSyntheticComponents(registries: Registries): void {
  registries.dataset.register(
    'synthetic',
    SyntheticDataset,
    SyntheticDatasetOptions,
    'built-in synthetic zero-label benchmark: 5 shapes × 4 colours, 5 unseen, generated from a seed',
    '@zls/data',
  );
  registries
    .of<DatasetFamily>(DATASET_FAMILY_KIND)
    .register('synthetic', SyntheticFamily, DatasetFamilyOptions, 'the synthetic benchmark: 20 classes, VOC layout on disk', '@zls/data');
}
