import 'reflect-metadata';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ZlsError } from '@zls/core';
import { createRegistries, interruptSignal, writeReport } from '@zls/runtime';
import { executeAblation } from './execute-ablation';
import { runNode } from './run-node';

const positiveInt = (what: string, min = 1) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${what} must be an integer ≥ ${min}`);
  return n;
};
const repeat = (value: string, previous: string[] = []) => [...previous, value];

interface Options {
  out: string;
  only?: string[];
  progress: boolean;
  allowRandomInit?: boolean;
  executor: 'local' | 'slurm';
  jobs?: number;
  status?: boolean;
  wait?: boolean;
  poll: number;
  dryRun?: boolean;
  waitForStages: boolean;
  partition?: string;
  time?: string;
  cpusPerTask?: number;
  mem?: string;
  gpus?: number;
  account?: string;
  sbatch?: string[];
  nodeBinary?: string;
  node?: string;
  threads?: number;
}

/** `zls-ablation FILE`: runs an ablation and prints the comparison table and the pseudo-label quality table. */
async function main(argv: string[]): Promise<number> {
  const program = new Command('zls-ablation')
    .description('run every method × seed of an ablation file and print the comparison table')
    .argument('<file>', 'ablation YAML (experiments/ablations/*.yaml)')
    .option('--out <dir>', 'output root', 'runs')
    .option('--only <method...>', 'run only these methods')
    .option('--no-progress', 'no progress lines')
    .option('--allow-random-init', 'let backbones that need pretrained weights start from random ones')
    .addOption(new Option('--executor <kind>', 'local: this machine; slurm: one sbatch job per stage, with dependencies').choices(['local', 'slurm']).default('local'))
    .option('--jobs <n>', 'local: run up to N independent stages at once, each in its own process with cores/N threads (default: executor.jobs, else 1)', positiveInt('--jobs'))
    .option('--status', "show each stage's state (from the folders; with --executor slurm also from squeue/sacct) and exit")
    .option('--wait', 'slurm: wait for the jobs, then print the table')
    .option('--poll <seconds>', 'slurm: seconds between looks while waiting', positiveInt('--poll'), 10)
    .option('--dry-run', 'slurm: print the batch scripts, submit nothing')
    .option('--no-wait-for-stages', 'refuse to start a stage that another process is writing, instead of waiting for it')
    .option('--partition <name>', 'slurm: --partition of every job')
    .option('--time <limit>', 'slurm: --time of every job (minutes, or [D-]HH:MM:SS)')
    .option('--cpus-per-task <n>', "slurm: --cpus-per-task of every job (also each job's thread budget)", positiveInt('--cpus-per-task'))
    .option('--mem <size>', 'slurm: --mem of every job (e.g. 8G)')
    .option('--gpus <n>', 'slurm: --gres=gpu:N on every job', positiveInt('--gpus', 0))
    .option('--account <name>', 'slurm: --account of every job')
    .option('--sbatch <option>', 'slurm: an extra #SBATCH option, e.g. --qos=high (repeatable)', repeat)
    .option('--node-binary <path>', 'slurm: node.js on the compute nodes (default: this one)')
    .addOption(new Option('--node <id>', 'run one node of the stage graph (what a job runs)').hideHelp())
    .option('--threads <n>', 'onnxruntime threads of each run (default: every core) or, with --jobs, of each job (default: cores/N); float round-off, and so the last digits of the scores, depends on it', positiveInt('--threads'))
    .exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    throw e;
  }
  const [file] = program.args;
  const opts = program.opts<Options>();
  const print = (line: string) => process.stdout.write(line + '\n');
  // A job is stopped by SIGTERM (scancel, a time limit, preemption): it saves a checkpoint as on Ctrl-C.
  const interrupt = opts.node ? interruptSignal(undefined, ['SIGINT', 'SIGTERM']) : interruptSignal();
  const registries = createRegistries();
  try {
    if (opts.node) {
      await runNode({
        file,
        registries,
        out: opts.out,
        node: opts.node,
        print,
        showProgress: opts.progress,
        signal: interrupt.signal,
        allowRandomInit: opts.allowRandomInit,
        threads: opts.threads,
        waitForStages: opts.waitForStages,
      });
      return 0;
    }
    const { outcome, code } = await executeAblation({
      file,
      registries,
      out: opts.out,
      only: opts.only,
      print,
      showProgress: opts.progress,
      signal: interrupt.signal,
      allowRandomInit: opts.allowRandomInit,
      waitForStages: opts.waitForStages,
      threads: opts.threads,
      executor: opts.executor,
      jobs: opts.jobs,
      status: opts.status,
      wait: opts.wait,
      pollSeconds: opts.poll,
      dryRun: opts.dryRun,
      slurm: {
        partition: opts.partition,
        time: opts.time,
        cpusPerTask: opts.cpusPerTask,
        mem: opts.mem,
        gpus: opts.gpus,
        account: opts.account,
        sbatch: opts.sbatch,
        node: opts.nodeBinary,
      },
    });
    if (!outcome) return code;
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
