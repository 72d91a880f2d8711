import { Command } from 'commander';
import { createRegistries, writeReport } from '@zls/runtime';

/** `zls report DIR`: a static HTML report of a run or an ablation folder, written to DIR/report.html. */
export function reportCommand(): Command {
  return new Command('report')
    .description('write DIR/report.html: comparison table, per-class IoU, training curves, pseudo-label quality, examples')
    .argument('<dir>', 'a run folder (zls train) or an ablation folder (zls-ablation, e.g. runs/default)')
    .action(async (dir: string) => {
      const file = await writeReport(dir, createRegistries());
      process.stdout.write(`report: ${file}\n`);
    });
}
