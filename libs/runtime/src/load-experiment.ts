import * as path from 'node:path';
import { ConfigError, loadConfig, loadPlugins, validateExperiment, type ExperimentSchema, type Plain, type Registries } from '@zls/core';

export interface ResolvedExperiment {
  /** The merged config as written (overrides applied): hashed into the run folder's name and stage keys. */
  config: Plain;
  /** The same config validated and typed, every default filled in: what the run reads. */
  experiment: ExperimentSchema;
  files: string[];
  plugins: string[];
}

/**
 * Config file → merged config → plugins imported and registered → whole config validated, once.
 * Nothing runs before this returns, so a typo costs seconds, not a run.
 */
export async function loadExperiment(file: string, overrides: readonly string[], registries: Registries): Promise<ResolvedExperiment> {
  const { config, files } = loadConfig(file, overrides);
  const plugins = config['plugins'] ?? [];
  if (!Array.isArray(plugins) || plugins.some((p) => typeof p !== 'string')) {
    throw new ConfigError([{ path: 'plugins', message: 'expected a list of package names' }], file);
  }
  const loaded = await loadPlugins(plugins as string[], registries, path.dirname(path.resolve(file)));
  const experiment = validateExperiment(config, registries, file);
  return { config, experiment, files, plugins: loaded.map((p) => p.name) };
}
