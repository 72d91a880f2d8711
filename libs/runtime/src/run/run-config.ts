import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { chooseEngines, selectBackend } from '@zls/backend';
import {
  ConfigError,
  ExperimentSchema,
  saveResolvedConfig,
  validateOptions,
  type ComponentConfig,
  type Plain,
  type FeatureGenerationStage,
  type PseudoLabeler,
  type Registries,
} from '@zls/core';
import { runExperiment, trainStagesUpTo, type RunExperimentOptions, type RunResult } from '@zls/engine';
import { createDataService } from '../services/data-service';
import { createMetricsService } from '../services/metrics-service';
import { createModelService } from '../services/model-service';
import { buildFeatureGeneration } from './feature-generation';
import { heldOutDataService } from './held-out-data';
import { runStages } from './run-stages';

/**
 * A backbone marked `requireWeights` (the real benchmarks: the protocol starts from ImageNet weights) without a
 * `weights` file stops the run before anything is written, saying what to get; `allowRandomInit` lets it train
 * from random weights anyway (smoke tests), where a frozen-BN ResNet's loss explodes within a few steps.
 */
function requirePretrainedWeights(config: Plain, allowRandomInit: boolean): void {
  const backbone = (config['model'] as Plain | undefined)?.['backbone'] as Plain | undefined;
  if (backbone?.['requireWeights'] !== true || backbone['weights'] || allowRandomInit) return;
  throw new ConfigError([
    {
      path: 'model.backbone.weights',
      message:
        'this protocol starts from ImageNet weights: set it to a torchvision-named ResNet file (the .pth from ' +
        'https://download.pytorch.org/models/ as downloaded, or its `zls weights import` .safetensors), or pass ' +
        '--allow-random-init (allowRandomInit: true) to train from random weights anyway',
    },
  ]);
}

/** The preset of the `normalize` training transform, when it names one (what `zls predict` must apply). */
function normalizationPreset(transforms: unknown): string | undefined {
  if (!Array.isArray(transforms)) return undefined;
  const normalize = transforms.find((t) => (t as Plain | undefined)?.['type'] === 'normalize') as Plain | undefined;
  return typeof normalize?.['preset'] === 'string' ? normalize['preset'] : undefined;
}

export interface RunConfigOptions {
  /** The config as written: saved beside the results and hashed (stage keys, the result's configHash). */
  config: Plain;
  /** The same config validated and typed (loadExperiment, an ablation's plan); absent: its schema is checked here. */
  experiment?: ExperimentSchema;
  registries: Registries;
  runDir: string;
  stageRoot: string;
  sourceFiles?: readonly string[];
  print?: (line: string) => void;
  showProgress?: boolean;
  signal?: AbortSignal;
  /** onnxruntime threads of the training graphs and whole-graph passes (default: every core); a job's budget. */
  threads?: number;
  /** A stage another process is writing: wait for it (default) or refuse, naming that process. */
  waitForStages?: boolean;
}

/**
 * Runs one validated experiment config: picks the compute backend, builds the data, model and metrics
 * services from the registries, saves the resolved config beside the results, and trains and scores.
 */
export async function runConfig(options: RunConfigOptions): Promise<RunResult> {
  return runExperiment(await experimentOptions(options));
}

/**
 * One stage job of an ablation's stage graph: builds the run as runConfig does, then trains its stages up to and
 * including `stageKey` (finished ones are read back) and stops; nothing is scored.
 */
export async function trainConfigStage(options: RunConfigOptions, stageKey: string): Promise<void> {
  await trainStagesUpTo(await experimentOptions(options), stageKey);
}

async function experimentOptions(options: RunConfigOptions): Promise<RunExperimentOptions> {
  const { config, registries } = options;
  const print = options.print ?? (() => undefined);
  // Without a typed experiment (specs, scripts) the schema is checked here; components are checked when built.
  const exp = options.experiment ?? validateOptions(ExperimentSchema, config, '');
  requirePretrainedWeights(config, exp.allowRandomInit);
  saveResolvedConfig(options.runDir, config, options.sourceFiles ?? []);
  const engines = chooseEngines(exp.backend);
  const backend = await selectBackend(engines.tfjsBackend);
  print(`backend: ${backend.name} (${backend.detail})`);
  if (engines.graphs) print(`training graphs: ${engines.graphs.name} (${engines.graphs.detail})`);

  // Components are built from the raw config's sections: their registries validate and type them.
  const data = createDataService({
    registries,
    dataset: config['dataset'] as ComponentConfig,
    splits: exp.splits,
    transforms: (config['transforms'] as ComponentConfig[] | undefined) ?? [],
    evalTransforms: (config['evalTransforms'] as ComponentConfig[] | undefined) ?? [],
    workers: exp.loader.workers,
    scratchDir: options.runDir,
  });
  const models = createModelService(registries, (config['model'] ?? {}) as Plain, data.classSpace, normalizationPreset(config['transforms']));
  const metrics = createMetricsService({ convention: exp.eval.nanConvention, warpSize: exp.eval.warpSize });
  const rounds = exp.selfTraining.rounds;
  let labeler: PseudoLabeler | undefined;
  if (rounds > 0) {
    const plConfig = exp.selfTraining.pseudoLabel as ComponentConfig | undefined;
    if (!plConfig) throw new ConfigError([{ path: 'selfTraining.pseudoLabel', message: `required when selfTraining.rounds is ${rounds}` }]);
    labeler = registries.pseudoLabeler.build(plConfig, 'selfTraining.pseudoLabel');
  }
  let heldOutData;
  if (exp.calibration.rule === 'held-out-seen') {
    const ids = exp.calibration.heldOutClasses;
    if (ids.length === 0) throw new ConfigError([{ path: 'calibration.heldOutClasses', message: 'the held-out-seen rule needs at least one seen class id' }]);
    heldOutData = heldOutDataService(data, ids.map((id) => data.classSpace.outputIndexOf(id)));
  }
  let featureGeneration: FeatureGenerationStage | undefined;
  if (config['generative'] !== undefined) featureGeneration = buildFeatureGeneration(registries, config['generative'] as ComponentConfig);
  return {
    experiment: exp,
    config,
    services: { data, models, metrics, labeler, heldOutData, featureGeneration },
    runDir: options.runDir,
    stageRoot: options.stageRoot,
    print,
    showProgress: options.showProgress,
    graphs: engines.graphs ? { executionProviders: engines.graphs.executionProviders, threads: options.threads ?? availableParallelism() } : undefined,
    signal: options.signal,
    stageLocks: { wait: options.waitForStages ?? true },
    stages: runStages(registries),
  };
}

/** Default run folder of an experiment: runs/<name>-<config hash>. */
export function defaultRunDir(root: string, name: string, hash: string): string {
  return path.join(root, `${name}-${hash}`);
}
