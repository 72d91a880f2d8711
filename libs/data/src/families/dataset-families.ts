import { DATASET_FAMILY_KIND, ZlsError, type DatasetFamily, type DatasetFamilyConfig, type Registries } from '@zls/core';
import { dataRegistries } from '../registrations';
import type { DatasetFamilyOptions } from './dataset-family-options';

/** The families registered beside the datasets (the built-ins' and the plugins'). */
export function datasetFamilyNames(registries: Registries = dataRegistries()): string[] {
  return registries.of<DatasetFamily>(DATASET_FAMILY_KIND).types();
}

/**
 * The family of dataset type `dataset`, from `registries` (default: this library's own datasets). Tools that know a
 * dataset only by name (eval, stats) ask it for the class space, label values, lists and files.
 */
export function datasetFamily(dataset: string, options: DatasetFamilyOptions = {}, registries: Registries = dataRegistries()): DatasetFamily {
  const families = registries.of<DatasetFamily>(DATASET_FAMILY_KIND);
  if (!families.has(dataset)) throw new ZlsError(`unknown dataset "${dataset}"; expected one of ${families.types().join(', ')}`);
  const config: DatasetFamilyConfig = { type: dataset };
  if (options.background !== undefined) config.background = options.background;
  return families.build(config, `dataset-family ${dataset}`);
}
