import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { ConfigError, configHash, loadConfig, typedExperiment, validateOptions, type ExperimentSchema, type Plain } from '@zls/core';
import { AblationSchema } from './ablation-schema';

export interface PlannedRun {
  method: string;
  seed: number;
  configFile: string;
  overrides: string[];
  /** The resolved config as written: hashed (run folder, stage keys) and saved beside the results. */
  config: Plain;
  /**
   * The same config typed, defaults filled in. A conversion, not a validation: planAblation checks every run's
   * config (experimentIssues) before any work reads this.
   */
  experiment: ExperimentSchema;
  /** Hash of the resolved config: the run folder's key, so a finished run is found again and skipped. */
  hash: string;
  /** Folder of the run, relative to the ablation's output root. */
  folder: string;
  /** The run's `dataset.seed` (its data draw), or undefined when its dataset takes none. */
  dataSeed?: number;
}

export interface ExpandOptions {
  /** Whether a dataset type takes a `seed` option; without registries no dataset is assumed to. */
  datasetTakesSeed?: (type: string) => boolean;
}

/** Reads an ablation file and resolves every (method, seed) into a concrete, hashed experiment config. */
export function expandAblation(file: string, options: ExpandOptions = {}): { ablation: AblationSchema; runs: PlannedRun[] } {
  const takesSeed = options.datasetTakesSeed ?? (() => false);
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError([{ path: '', message: (e as Error).message.split('\n')[0] }], file);
  }
  let ablation: AblationSchema;
  try {
    ablation = validateOptions(AblationSchema, (doc ?? {}) as Record<string, unknown>, '');
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(e.issues, file);
    throw e;
  }
  const names = new Set<string>();
  const runs: PlannedRun[] = [];
  ablation.methods.forEach((method, i) => {
    if (names.has(method.name)) throw new ConfigError([{ path: `methods.${i}.name`, message: `"${method.name}" is used twice` }], file);
    names.add(method.name);
    const configFile = path.resolve(path.dirname(file), method.config);
    for (const seed of ablation.seeds) {
      const overrides = [...ablation.set, ...method.set, `seed=${seed}`];
      let { config } = loadConfig(configFile, overrides);
      const dataset = config['dataset'] as Plain | undefined;
      if (ablation.dataSeeds === 'per-seed' && dataset?.['seed'] === undefined && typeof dataset?.['type'] === 'string' && takesSeed(dataset['type'])) {
        overrides.push(`dataset.seed=${seed}`);
        ({ config } = loadConfig(configFile, overrides));
      }
      const drawn = (config['dataset'] as Plain | undefined)?.['seed'];
      const hash = configHash(config);
      runs.push({
        method: method.name,
        seed,
        configFile,
        overrides,
        config,
        experiment: typedExperiment(config),
        hash,
        folder: `${method.name}-seed${seed}-${hash}`,
        dataSeed: typeof drawn === 'number' ? drawn : undefined,
      });
    }
  });
  return { ablation, runs };
}

/** One line for the tables: whether the seeds of an ablation drew their own data or shared one draw. */
export function dataDrawNote(runs: readonly PlannedRun[]): string {
  const seeded = runs.filter((r) => r.dataSeed !== undefined);
  if (seeded.length === 0) return 'Data: fixed by the dataset (it takes no seed); seeds change the initialisation and the augmentation only.';
  if (seeded.every((r) => r.dataSeed === r.seed)) {
    return 'Data: each seed is an independent data draw (dataset.seed = seed: its own images and embedding noise), as well as its own initialisation.';
  }
  const draws = [...new Set(seeded.map((r) => r.dataSeed))].sort((a, b) => (a as number) - (b as number));
  if (draws.length === 1) return `Data: one draw for every seed (dataset.seed = ${draws[0]}, pinned); seeds change the initialisation and the augmentation only.`;
  return `Data: mixed draws (dataset.seed ∈ {${draws.join(', ')}}); see each run's config.`;
}
