import { Registries } from '@zls/core';

/** The composition root's registries: every built-in component library registers itself here. */
export function createRegistries(): Registries {
  const registries = new Registries();
  return registries;
}
