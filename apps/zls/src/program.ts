import { Command } from 'commander';
import { configCommand } from './commands/config.command';
import { dataCommand } from './commands/data.command';
import { doctorCommand } from './commands/doctor.command';
import { evalCommand } from './commands/eval.command';
import { exportCommand } from './commands/export.command';
import { listCommand } from './commands/list.command';
import { predictCommand } from './commands/predict.command';
import { reportCommand } from './commands/report.command';
import { trainCommand } from './commands/train.command';
import { weightsCommand } from './commands/weights.command';

/** The zls command tree; each command lives in its own file under commands/. */
export function createProgram(): Command {
  const program = new Command('zls')
    .description('zero-label semantic segmentation: STRICT and its baselines, trained and compared')
    .version('0.1.0')
    .showHelpAfterError();
  for (const command of [
    trainCommand(),
    evalCommand(),
    predictCommand(),
    exportCommand(),
    reportCommand(),
    dataCommand(),
    listCommand(),
    configCommand(),
    doctorCommand(),
    weightsCommand(),
  ]) program.addCommand(command);
  return program;
}
