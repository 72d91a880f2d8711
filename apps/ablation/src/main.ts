import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { ZlsError } from '@zls/core';
import { createRegistries, interruptSignal, writeReport } from '@zls/runtime';
import { runAblation } from './run-ablation';

/** `zls-ablation FILE`: runs an ablation and prints the comparison table and the pseudo-label quality table. */
async function main(argv: string[]): Promise<number> {
  const program = new Command('zls-ablation')
    .description('run every method × seed of an ablation file and print the comparison table')
    .argument('<file>', 'ablation YAML (experiments/ablations/*.yaml)')
    .option('--out <dir>', 'output root', 'runs')
    .option('--only <method...>', 'run only these methods')
    .option('--no-progress', 'no progress lines')
    .option('--allow-random-init', 'let backbones that need pretrained weights start from random ones')
    .exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    throw e;
  }
  const [file] = program.args;
  const opts = program.opts<{ out: string; only?: string[]; progress: boolean; allowRandomInit?: boolean }>();
  const interrupt = interruptSignal();
  const registries = createRegistries();
  try {
    const outcome = await runAblation({
      file,
      registries,
      out: opts.out,
      only: opts.only,
      print: (line) => process.stdout.write(line + '\n'),
      showProgress: opts.progress,
      signal: interrupt.signal,
      allowRandomInit: opts.allowRandomInit,
    });
    process.stdout.write(`\n## ${outcome.name}: seen / unseen / harmonic mIoU (%)\n\n${outcome.markdown}\n## Pseudo-label quality (%)\n\n${outcome.qualityMarkdown}\n## Pseudo-label quality per unseen class (%)\n\n${outcome.perClassQualityMarkdown}\n`);
    process.stdout.write(`results: ${outcome.folder}/results.md (${(outcome.seconds / 60).toFixed(1)} min)\n`);
    process.stdout.write(`report: ${await writeReport(outcome.folder, registries)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof ZlsError) {
      process.stderr.write(`zls-ablation: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    interrupt.release();
  }
}

void main(process.argv).then((code) => {
  process.exitCode = code;
});
