import * as path from 'node:path';
import { Registries } from '@zls/core';
import { DEFAULT_REGISTRATIONS, type RegistrationModule } from './loading/loader-source';
import { registerRealDatasets } from './register-real';
import { registerSyntheticComponents } from './synthetic/register';
import { registerTransforms } from './transforms/register';

/** Every dataset and transform of this library, as modules that loader threads can load by path. */
export const DATA_REGISTRATIONS: readonly RegistrationModule[] = [
  ...DEFAULT_REGISTRATIONS,
  { module: path.join(__dirname, 'register-real'), exportName: 'registerRealDatasets' },
];

/** Registries holding this library's datasets (with their families) and transforms only: no plugins. */
export function dataRegistries(): Registries {
  const registries = new Registries();
  registerSyntheticComponents(registries);
  registerRealDatasets(registries);
  registerTransforms(registries);
  return registries;
}
