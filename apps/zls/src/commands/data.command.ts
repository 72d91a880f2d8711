import { Command } from 'commander';
import { dataStatsCommand } from './data-stats.command';
import { dataSynthCommand } from './data-synth.command';

/** `zls data …`: dataset tools (write the synthetic benchmark, validate and count a dataset folder). */
export function dataCommand(): Command {
  return new Command('data').description('dataset tools').addCommand(dataSynthCommand()).addCommand(dataStatsCommand());
}
