import * as fs from 'node:fs';
import * as path from 'node:path';
import { ABLATION_BIN, executeLocally, spawnNode } from './local-executor';
import { planAblation, runAblation, type AblationOutcome, type RunAblationOptions } from './run-ablation';
import {
  commandLineSlurm,
  failuresReport,
  readRegistry,
  rootTagOf,
  sbatchScript,
  slurmSettings,
  slurmStatus,
  statusTable,
  submitMissing,
  waitForJobs,
  type SlurmClient,
  type SlurmContext,
  type SlurmSettings,
} from './slurm-executor';
import { buildStageGraph, describeNode, nodeFinished, nodeLog, nodesFor, stageProgress, stageWriter, type GraphNode } from './stage-graph';

export interface ExecuteAblationOptions extends RunAblationOptions {
  /** `local` (default): this machine; `slurm`: one sbatch job per stage, with dependencies. */
  executor?: 'local' | 'slurm';
  /** Local: nodes at once (default: the file's executor.jobs, else 1: every run in this process, in order). */
  jobs?: number;
  /** Only print each node's state. */
  status?: boolean;
  /** Slurm: wait for the jobs, then collect the table. */
  wait?: boolean;
  /** Slurm: seconds between looks while waiting (default 10). */
  pollSeconds?: number;
  /** Slurm: write and print the batch scripts, submit nothing. */
  dryRun?: boolean;
  /** Slurm settings from the command line (override the file's executor section). */
  slurm?: Partial<Omit<SlurmSettings, 'setup'>>;
  /** Slurm client (default: the command-line tools). */
  client?: SlurmClient;
}

/** What happened: the tables when the ablation is complete, else why not (the exit code says whether it failed). */
export interface ExecuteOutcome {
  outcome?: AblationOutcome;
  code: number;
}

/**
 * Runs an ablation with an executor. Local with one job: every run in this process (runAblation). Local with
 * `jobs` > 1: the stage graph's nodes as child processes, independent ones at once, then the table. Slurm: one
 * job per node that is not done, each after the jobs of what it needs; rerunning submits only what is missing
 * or failed, and prints the table once every node is done.
 */
export async function executeAblation(options: ExecuteAblationOptions): Promise<ExecuteOutcome> {
  const started = Date.now();
  const print = options.print ?? (() => undefined);
  const plan = await planAblation(options);
  const graph = buildStageGraph(plan.selected);
  const nodes = nodesFor(graph, plan.selected);
  const finished = (n: GraphNode) => nodeFinished(n, plan.folder, plan.stageRoot);
  const executor = options.executor ?? 'local';
  const collect = async (): Promise<ExecuteOutcome> => {
    const outcome = await runAblation(options);
    return { outcome: { ...outcome, seconds: (Date.now() - started) / 1000 }, code: 0 };
  };

  if (executor === 'local') {
    if (options.status) {
      print(localStatus(nodes, plan.folder, plan.stageRoot));
      return { code: 0 };
    }
    const jobs = options.jobs ?? plan.ablation.executor?.jobs ?? 1;
    if (jobs > 1) {
      await executeLocally({
        graph,
        nodes,
        finished,
        jobs,
        launch: (node, threads) =>
          spawnNode({ file: options.file, out: options.out, folder: plan.folder, print, extraArgs: options.allowRandomInit ? ['--allow-random-init'] : [] }, node, threads),
        logOf: (node) => nodeLog(plan.folder, node),
        print,
        signal: options.signal,
        threads: options.threads,
      });
    }
    return collect();
  }

  const settings = slurmSettings(plan.ablation.executor, options.slurm);
  const absFile = path.resolve(options.file);
  const absOut = path.resolve(options.out);
  const common = [...(options.allowRandomInit ? ['--allow-random-init'] : [])];
  const ctx: SlurmContext = {
    settings,
    ablation: plan.ablation.name,
    rootTag: rootTagOf(options.out),
    folder: path.resolve(plan.folder),
    cwd: process.cwd(),
    client: options.client ?? commandLineSlurm(),
    finished,
    collected: () => fs.existsSync(path.join(plan.folder, 'results.md')),
    commandOf: (node) =>
      node === 'collect'
        ? [settings.node, ABLATION_BIN, absFile, '--out', absOut, '--executor', 'local', '--jobs', '1', '--no-progress', ...(options.only?.length ? ['--only', ...options.only] : []), ...common]
        : [settings.node, ABLATION_BIN, absFile, '--out', absOut, '--node', node.id, '--threads', String(options.threads ?? settings.cpusPerTask), '--no-progress', ...common],
  };

  if (options.dryRun) {
    for (const node of nodes.filter((n) => !finished(n))) {
      const after = node.needs.filter((id) => !finished(graph.byId.get(id) as GraphNode)).map((id) => `<job of ${id}>`);
      print(`# --dry-run: ${ctx.folder}/slurm/${node.id}.sbatch (not written, not submitted)\n${sbatchScript({ id: node.id, what: `${describeNode(node)} (${node.id})`, command: ctx.commandOf(node), after }, ctx)}`);
    }
    return { code: 0 };
  }

  const statuses = slurmStatus(nodes, ctx);
  const progress = (s: (typeof statuses)[number]) => (s.node ? stageProgress(s.node, plan.stageRoot) : '');
  if (options.status) {
    print(statusTable(statuses.map((s) => ({ ...s, slurm: [s.slurm, progress(s)].filter(Boolean).join('; ') || undefined })), plan.folder));
    const failures = failuresReport(statuses, plan.folder);
    if (failures) print(`\nfailed:\n${failures}`);
    return { code: 0 };
  }
  if (nodes.every(finished)) {
    print(`${plan.ablation.name}: every stage and run is done; collecting the table`);
    return collect();
  }
  const failed = statuses.filter((s) => s.state === 'failed');
  if (failed.length) print(`resubmitting what failed (a killed stage resumes from its last checkpoint):\n${failuresReport(statuses, plan.folder)}`);
  const submission = submitMissing(nodes, statuses, ctx);
  const done = statuses.filter((s) => s.state === 'done' && s.id !== 'collect').length;
  print(
    `${plan.ablation.name}: submitted ${submission.submitted.length} job(s), ${submission.kept.length} still queued or running, ${done} of ${nodes.length} node(s) done` +
      (submission.cancelled.length ? `; cancelled ${submission.cancelled.join(', ')} (they waited on a replaced job)` : ''),
  );
  for (const s of submission.submitted) print(`  job ${s.job}: ${s.id}${s.after.length ? ` (after ${s.after.join(', ')})` : ''}`);
  print(`logs: ${path.join(ctx.folder, 'logs')}/<node>.log`);
  if (!options.wait) {
    print(`progress: zls-ablation ${options.file} --executor slurm --status; run this command again to resubmit what failed, or to print the table once every job is done`);
    return { code: 0 };
  }
  const waited = await waitForJobs(nodes, ctx, { pollMs: (options.pollSeconds ?? 10) * 1000, print, signal: options.signal });
  if (!waited.ok) {
    print(`\nfailed:\n${failuresReport(waited.statuses, plan.folder)}\nrun the same command again to resubmit them`);
    return { code: 1 };
  }
  return collect();
}

/** Without Slurm: each node's state from the folders (done, being written by whom, how far it got). */
export function localStatus(nodes: readonly GraphNode[], folder: string, stageRoot: string): string {
  const rows = nodes.map((n) => {
    const done = nodeFinished(n, folder, stageRoot);
    const writer = stageWriter(n, stageRoot);
    const state = done ? 'done' : writer ? `being written by ${writer}` : 'not done';
    const more = done ? '' : stageProgress(n, stageRoot);
    return `| ${n.id} | ${describeNode(n)} | ${n.kind === 'stage' ? n.usedBy.join(', ') : ''} | ${state}${more ? ` (${more})` : ''} |`;
  });
  const registry = readRegistry(folder);
  const note = registry.length ? `\n(${registry.length} Slurm job(s) were submitted for this ablation: --executor slurm --status shows their states)` : '';
  return ['| node | what | shared by | state |', '|---|---|---|---|', ...rows].join('\n') + note;
}
