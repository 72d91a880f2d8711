import * as path from 'node:path';
import { ZlsError, loadConfig, loadPlugins, type Plain, type Registries } from '@zls/core';
import { loadModelFromCheckpoint, type LoadedModel, type SegmentationModelConfig } from '@zls/models';
import { createRegistries } from '@zls/runtime';
import { selectBackend } from '@zls/backend';

export interface ModelSourceOptions {
  checkpoint: string;
  /** A run's config file; its model: section and plugins: list describe the checkpoint's network. */
  config?: string;
  plugin?: string[];
}

/** Registries with the built-ins, the config's plugins and any --plugin packages, then the rebuilt network. */
export async function loadCheckpointModel(options: ModelSourceOptions, registries: Registries = createRegistries()): Promise<LoadedModel> {
  let modelConfig: SegmentationModelConfig | undefined;
  const plugins = [...(options.plugin ?? [])];
  let pluginDir = process.cwd();
  if (options.config) {
    const { config } = loadConfig(options.config, []);
    const model = config['model'] as Plain | undefined;
    if (!model || typeof model !== 'object') throw new ZlsError(`${options.config}: has no model: section`);
    modelConfig = model as unknown as SegmentationModelConfig;
    const listed = config['plugins'];
    if (Array.isArray(listed)) plugins.push(...listed.filter((p): p is string => typeof p === 'string'));
    pluginDir = path.dirname(path.resolve(options.config));
  }
  await loadPlugins([...new Set(plugins)], registries, pluginDir);
  // Building the network creates tfjs variables, which needs an initialised backend (a fresh shell has none).
  await selectBackend('auto');
  return loadModelFromCheckpoint(registries, options.checkpoint, modelConfig);
}

/** Parses '--classes 0,3,5' into output indices (undefined: all classes). */
export function parseClassList(value: string | undefined, numClasses: number): number[] | undefined {
  if (value === undefined || value === 'all') return undefined;
  const list = value.split(',').map((s) => Number(s.trim()));
  const bad = list.find((c) => !Number.isInteger(c) || c < 0 || c >= numClasses);
  if (bad !== undefined) throw new ZlsError(`--classes: '${value}' must list output indices in 0..${numClasses - 1}`);
  return list;
}
