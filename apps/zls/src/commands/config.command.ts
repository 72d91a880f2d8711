import { Command } from 'commander';
import { stringify } from 'yaml';
import { loadExperiment } from '@zls/runtime';
import { createRegistries } from '@zls/runtime';
import { collect } from './collect';

/** `zls config show FILE [--set k=v]…`: the resolved config, or every validation error with its path. */
export function configCommand(): Command {
  const config = new Command('config').description('inspect experiment configuration files');
  config
    .command('show')
    .description('print the resolved configuration (bases merged, overrides applied, validated)')
    .argument('<file>', 'experiment YAML file')
    .option('--set <key=value>', 'override a value (repeatable), e.g. --set train.iterations=10', collect, [])
    .option('--json', 'print JSON instead of YAML')
    .action(async (file: string, opts: { set: string[]; json?: boolean }) => {
      const registries = createRegistries();
      const { config: resolved, files } = await loadExperiment(file, opts.set, registries);
      process.stdout.write(opts.json ? JSON.stringify(resolved, null, 2) + '\n' : stringify(resolved));
      process.stderr.write(`# from ${files.length} file(s): ${files.join(', ')}\n`);
    });
  return config;
}
