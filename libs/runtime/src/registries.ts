import { Registries } from '@zls/core';
import { registerRealDatasets, registerSyntheticComponents, registerTransforms } from '@zls/data';
import { registerModelComponents } from '@zls/models';
import { registerPseudoLabelComponents } from '@zls/pseudo-label';
import { registerFeatureGeneration } from './run/feature-generation';

/** The composition root's registries: every built-in component library registers itself here. */
export function createRegistries(): Registries {
  const registries = new Registries();
  registerSyntheticComponents(registries);
  registerRealDatasets(registries);
  registerTransforms(registries);
  registerModelComponents(registries);
  registerPseudoLabelComponents(registries);
  registerFeatureGeneration(registries);
  return registries;
}
