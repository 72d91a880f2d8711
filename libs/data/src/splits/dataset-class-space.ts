import type { ClassSpace, DatasetLabelSpace, Registries } from '@zls/core';
import { datasetFamily } from '../families/dataset-families';
import type { DatasetFamilyOptions } from '../families/dataset-family-options';

export type DatasetClassSpaceOptions = DatasetFamilyOptions;

/** The default class space of a dataset, from its registered family (VOC SPNet 15/5, COCO-Stuff 171, synthetic 20). */
export function datasetClassSpace(dataset: string, options: DatasetClassSpaceOptions = {}, registries?: Registries): ClassSpace {
  return datasetRealClassSpace(dataset, options, registries).space;
}

/** As datasetClassSpace, with the label values the dataset's files may contain. */
export function datasetRealClassSpace(dataset: string, options: DatasetClassSpaceOptions = {}, registries?: Registries): DatasetLabelSpace {
  return datasetFamily(dataset, options, registries).labels;
}
