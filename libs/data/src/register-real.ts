import type { Registries } from '@zls/core';
import { CocostuffDataset, CocostuffDatasetOptions } from './datasets/cocostuff-dataset';
import { Voc12Dataset, Voc12DatasetOptions } from './datasets/voc12-dataset';

/** Registers the datasets read from disk: PASCAL VOC 2012 and COCO-Stuff-164k. */
export function registerRealDatasets(registries: Registries): void {
  registries.dataset.register(
    'voc12',
    Voc12Dataset,
    Voc12DatasetOptions,
    'PASCAL VOC 2012 (VOCdevkit layout, train_aug shipped); SPNet 15/5 or ZS3Net splits',
  );
  registries.dataset.register(
    'cocostuff',
    CocostuffDataset,
    CocostuffDatasetOptions,
    'COCO-Stuff-164k (images/ + annotations/ PNGs 0..181, 255 unlabeled); SPNet 156 seen + 15 unseen',
  );
}
