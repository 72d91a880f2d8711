import { ZlsError, type ClassSpace } from '@zls/core';
import { syntheticClassSpace } from '../synthetic/synthetic-class-space';
import { BACKGROUND_LABEL_ID } from '../synthetic/synthetic-recipe';
import { cocostuffClassSpace } from './cocostuff-class-space';
import type { BackgroundMode, RealClassSpace } from './real-class-space';
import { vocClassSpace } from './voc-class-space';

export const DATASET_NAMES = ['voc12', 'cocostuff', 'synthetic'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export interface DatasetClassSpaceOptions {
  /** VOC and synthetic: 'ignore' (default, background is no class) or 'class' (the `--bkg` mode). */
  background?: BackgroundMode;
}

/** The default class space of a dataset: VOC SPNet 15/5, COCO-Stuff 171, or the synthetic benchmark's 20 classes. */
export function datasetClassSpace(dataset: string, options: DatasetClassSpaceOptions = {}): ClassSpace {
  return datasetRealClassSpace(dataset, options).space;
}

/** As datasetClassSpace, with the label values the dataset's files may contain. */
export function datasetRealClassSpace(dataset: string, options: DatasetClassSpaceOptions = {}): RealClassSpace {
  switch (dataset) {
    case 'voc12':
      return vocClassSpace({ classSplit: 'spnet', background: options.background ?? 'ignore' });
    case 'cocostuff':
      if (options.background === 'class') throw new ZlsError('cocostuff has no background class; its unlabeled pixels (255) are always ignored');
      return cocostuffClassSpace();
    case 'synthetic':
      return {
        space: syntheticClassSpace({ background: options.background ?? 'ignore' }),
        datasetLabelIds: Array.from({ length: BACKGROUND_LABEL_ID + 1 }, (_, id) => id),
      };
    default:
      throw new ZlsError(`unknown dataset "${dataset}"; expected one of ${DATASET_NAMES.join(', ')}`);
  }
}
