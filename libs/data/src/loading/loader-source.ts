import * as path from 'node:path';
import { loadPlugins, Registries, ZlsError, type ComponentConfig, type PluginSource, type SegDataset } from '@zls/core';
import { readPseudoLabelFile } from '../pseudo-labels/pseudo-label-file';
import { WithPseudoLabels } from '../pseudo-labels/with-pseudo-labels';
import { ComposedTransform } from '../transforms/compose-transforms';

/** A module and the name of its `register(registries)` export, loaded by path so that workers can load it too. */
export interface RegistrationModule {
  /** Absolute path (extension optional) or package name. */
  readonly module: string;
  readonly exportName: string;
}

/**
 * What a loader reads, as plain data: worker threads cannot receive built objects, so each builds its own
 * dataset and transforms from this description.
 */
export interface LoaderSource {
  /** Register functions to run before building; the default registers the synthetic dataset and the transforms. */
  readonly registrations?: readonly RegistrationModule[];
  /** Plugin packages to import and register after the registrations (their datasets and transforms). */
  readonly plugins?: readonly PluginSource[];
  readonly dataset: ComponentConfig;
  readonly transforms?: readonly ComponentConfig[];
  /** A round's pseudo-labels (writePseudoLabelFile), mixed into the targets before any transform. */
  readonly pseudoLabelsFile?: string;
}

/** This library's own components; callers add the modules of other datasets (or their app's register function). */
export const DEFAULT_REGISTRATIONS: readonly RegistrationModule[] = [
  { module: path.join(__dirname, '../synthetic/register'), exportName: 'registerSyntheticComponents' },
  { module: path.join(__dirname, '../transforms/register'), exportName: 'registerTransforms' },
];

export interface BuiltSource {
  readonly dataset: SegDataset;
  readonly transform: ComposedTransform;
}

/** Builds the dataset and transforms a source describes, in whichever thread calls it (plugins import asynchronously). */
export async function buildLoaderSource(source: LoaderSource): Promise<BuiltSource> {
  const registries = new Registries();
  for (const reg of source.registrations ?? DEFAULT_REGISTRATIONS) {
    // A runtime path by design: the same description must work in this thread and in a worker.
    const loaded = require(reg.module) as Record<string, unknown>;
    const fn = loaded[reg.exportName];
    if (typeof fn !== 'function') {
      throw new ZlsError(`loader: module ${reg.module} has no function export "${reg.exportName}"`);
    }
    (fn as (r: Registries) => void)(registries);
  }
  // After the built-ins, as in the main thread, so a clash is reported the same way there and here.
  for (const plugin of source.plugins ?? []) await loadPlugins([plugin.name], registries, plugin.fromDir);
  const built = registries.dataset.build(source.dataset, 'loader.dataset');
  const dataset = source.pseudoLabelsFile
    ? new WithPseudoLabels(built, readPseudoLabelFile(source.pseudoLabelsFile), source.pseudoLabelsFile)
    : built;
  const transforms = (source.transforms ?? []).map((t, i) => registries.transform.build(t, `loader.transforms[${i}]`));
  return { dataset, transform: new ComposedTransform(transforms) };
}
