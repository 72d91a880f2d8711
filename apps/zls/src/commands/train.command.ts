import * as path from 'node:path';
import { Command } from 'commander';
import { configHash } from '@zls/core';
import { createRegistries, defaultRunDir, interruptSignal, loadExperiment, runConfig } from '@zls/runtime';
import { collect } from './collect';

/** `zls train CONFIG`: one experiment (SPNet, SPNet-c, SPNet+ST, STRICT, …) trained and scored. */
export function trainCommand(): Command {
  return new Command('train')
    .description('train and evaluate one experiment; a rerun resumes from its checkpoints')
    .argument('<config>', 'experiment YAML file')
    .option('--set <key=value>', 'override a value (repeatable)', collect, [])
    .option('--out <dir>', 'runs folder (a run lands in <out>/<name>-<config hash>)', 'runs')
    .option('--no-progress', 'no progress line')
    .option('--allow-random-init', 'train a backbone that needs pretrained weights (model.backbone.requireWeights) from random weights')
    .option('--no-wait-for-stages', 'refuse to start a stage that another process is writing, instead of waiting for it')
    .action(async (file: string, opts: { set: string[]; out: string; progress: boolean; allowRandomInit?: boolean; waitForStages: boolean }) => {
      const registries = createRegistries();
      const { config, experiment, files } = await loadExperiment(file, [...opts.set, ...(opts.allowRandomInit ? ['allowRandomInit=true'] : [])], registries);
      const runDir = defaultRunDir(opts.out, experiment.name, configHash(config));
      const interrupt = interruptSignal();
      const result = await runConfig({
        config,
        experiment,
        registries,
        runDir,
        stageRoot: path.join(opts.out, 'stages'),
        sourceFiles: files,
        print: (line) => process.stdout.write(line + '\n'),
        showProgress: opts.progress,
        signal: interrupt.signal,
        waitForStages: opts.waitForStages,
      }).finally(interrupt.release);
      const h = result.headline;
      process.stdout.write(
        `\n${result.name} (seed ${result.seed}): seen ${h.seen.toFixed(1)} | unseen ${h.unseen.toFixed(1)} | harmonic ${h.harmonic.toFixed(1)}\n` +
          `results: ${path.join(runDir, 'results.json')} (${result.seconds.toFixed(0)} s)\n`,
      );
    });
}
