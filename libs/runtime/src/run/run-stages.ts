import type { Registries } from '@zls/core';
import { builtInStages, type StageKind, type StageRegistry } from '@zls/engine';

/** The registry kind under which a plugin adds a stage kind (a class whose instance is a StageKind). */
export const STAGE_KIND = 'stage';

/** The run's pipeline: the built-in stage kinds, then each plugin's, placed after the kind it names. */
export function runStages(registries: Registries): StageRegistry {
  const stages = builtInStages();
  for (const entry of registries.of<StageKind>(STAGE_KIND).list()) stages.register(new (entry.ctor as unknown as new () => StageKind)());
  return stages;
}
