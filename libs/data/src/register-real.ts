import { DATASET_FAMILY_KIND, type DatasetFamily, type Registries } from '@zls/core';
import { CocostuffDataset, CocostuffDatasetOptions } from './datasets/cocostuff-dataset';
import { Voc12Dataset, Voc12DatasetOptions } from './datasets/voc12-dataset';
import { CocostuffFamily } from './families/cocostuff-family';
import { DatasetFamilyOptions } from './families/dataset-family-options';
import { Voc12Family } from './families/voc12-family';

/** Registers the datasets read from disk, each with its family: PASCAL VOC 2012 and COCO-Stuff-164k. */
export function registerRealDatasets(registries: Registries): void {
  const families = registries.of<DatasetFamily>(DATASET_FAMILY_KIND);
  registries.dataset.register(
    'voc12',
    Voc12Dataset,
    Voc12DatasetOptions,
    'PASCAL VOC 2012 (VOCdevkit layout, train_aug shipped); SPNet 15/5 or ZS3Net splits',
  );
  families.register('voc12', Voc12Family, DatasetFamilyOptions, 'PASCAL VOC 2012: SPNet 15/5 class space, VOCdevkit lists');
  registries.dataset.register(
    'cocostuff',
    CocostuffDataset,
    CocostuffDatasetOptions,
    'COCO-Stuff-164k (images/ + annotations/ PNGs 0..181, 255 unlabeled); SPNet 156 seen + 15 unseen',
  );
  families.register('cocostuff', CocostuffFamily, DatasetFamilyOptions, 'COCO-Stuff-164k: 171 classes, split folders');
}
