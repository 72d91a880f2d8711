import { Command } from 'commander';
import { dataCheckCommand } from './data-check.command';
import { dataStatsCommand } from './data-stats.command';
import { dataSynthCommand } from './data-synth.command';

/** `zls data …`: dataset tools (write the synthetic benchmark, validate and count a dataset folder, check it against the protocol). */
export function dataCommand(): Command {
  return new Command('data').description('dataset tools').addCommand(dataSynthCommand()).addCommand(dataStatsCommand()).addCommand(dataCheckCommand());
}
