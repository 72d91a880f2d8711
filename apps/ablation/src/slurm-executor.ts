import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic, ZlsError } from '@zls/core';
import type { ExecutorSection } from './ablation-schema';
import { failureReport } from './local-executor';
import { describeNode, nodeLog, type GraphNode } from './stage-graph';

/** The resources and environment of every job. */
export interface SlurmSettings {
  partition?: string;
  time?: string;
  cpusPerTask: number;
  mem?: string;
  gpus?: number;
  account?: string;
  /** Extra `#SBATCH` options, verbatim. */
  sbatch: string[];
  /** Shell lines before the command (module loads, a virtual environment). */
  setup: string[];
  /** node.js on the compute nodes. */
  node: string;
}

/** Settings from the ablation file's `executor:` section, each overridden by its command-line option. */
export function slurmSettings(section: ExecutorSection | undefined, cli: Partial<Omit<SlurmSettings, 'setup'>> = {}): SlurmSettings {
  const strip = (line: string) => line.replace(/^#SBATCH\s+/, '').trim();
  return {
    partition: cli.partition ?? section?.partition,
    time: cli.time ?? section?.time,
    cpusPerTask: cli.cpusPerTask ?? section?.cpusPerTask ?? 1,
    mem: cli.mem ?? section?.mem,
    gpus: cli.gpus ?? section?.gpus,
    account: cli.account ?? section?.account,
    sbatch: [...(section?.sbatch ?? []), ...(cli.sbatch ?? [])].map(strip),
    setup: [...(section?.setup ?? [])],
    node: cli.node ?? section?.node ?? process.execPath,
  };
}

/** What a job is, for its script. */
export interface JobSpec {
  /** The node id, or `collect`: the job's name and log name. */
  id: string;
  /** In words, for the script's first lines. */
  what: string;
  /** The command, one argument per entry (quoted in the script). */
  command: string[];
  /** Job ids it runs after (afterok). */
  after: string[];
}

export interface ScriptContext {
  settings: SlurmSettings;
  /** The ablation's name: its collect job is named by it (stage jobs are shared between ablations). */
  ablation: string;
  /** Tells this output root's jobs apart from another's in job names (a hash of its absolute path). */
  rootTag: string;
  /** Absolute folder of the ablation (logs go to <folder>/logs/<id>.log). */
  folder: string;
  /** Absolute working folder of the jobs. */
  cwd: string;
}

/** `zls.<root tag>.<node id>`: how squeue lists a node's job. */
export function jobName(rootTag: string, id: string): string {
  return `zls.${rootTag}.${id}`;
}

/** A job's name: a node's is shared by every ablation under the root, the collect job is the ablation's own. */
export function jobNameOf(ctx: Pick<ScriptContext, 'rootTag' | 'ablation'>, id: string): string {
  return jobName(ctx.rootTag, id === 'collect' ? `${ctx.ablation}.collect` : id);
}

/** A short hash of the output root's absolute path. */
export function rootTagOf(out: string): string {
  return createHash('sha256').update(path.resolve(out)).digest('hex').slice(0, 8);
}

/** Single-quotes a word for bash. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A job's batch script: `#SBATCH` lines for its name, log (appended across attempts, named by the node id),
 * resources and dependencies, then the setup lines and the command. The command is `exec`ed, so Slurm's
 * SIGTERM (scancel, time limit, preemption) reaches node.js, which saves a checkpoint before stopping.
 */
export function sbatchScript(job: JobSpec, ctx: ScriptContext): string {
  const s = ctx.settings;
  const lines = [
    '#!/bin/bash',
    `# zls-ablation: ${job.what}`,
    `#SBATCH --job-name=${jobNameOf(ctx, job.id)}`,
    `#SBATCH --output=${nodeLog(ctx.folder, job.id)}`,
    '#SBATCH --open-mode=append',
    '#SBATCH --nodes=1',
    '#SBATCH --ntasks=1',
    `#SBATCH --cpus-per-task=${s.cpusPerTask}`,
    ...(s.partition ? [`#SBATCH --partition=${s.partition}`] : []),
    ...(s.time ? [`#SBATCH --time=${s.time}`] : []),
    ...(s.mem ? [`#SBATCH --mem=${s.mem}`] : []),
    ...(s.gpus ? [`#SBATCH --gres=gpu:${s.gpus}`] : []),
    ...(s.account ? [`#SBATCH --account=${s.account}`] : []),
    ...(job.after.length ? [`#SBATCH --dependency=afterok:${job.after.join(':')}`, '#SBATCH --kill-on-invalid-dep=yes'] : []),
    ...s.sbatch.map((o) => `#SBATCH ${o}`),
    'set -e',
    ...s.setup,
    `cd ${shellQuote(ctx.cwd)}`,
    `echo "== $(date -Is) Slurm job $SLURM_JOB_ID on $(hostname): ${job.what.replace(/["$`\\]/g, '')}"`,
    `exec ${job.command.map(shellQuote).join(' ')}`,
  ];
  return lines.join('\n') + '\n';
}

/** One job's state as Slurm reports it. */
export interface JobInfo {
  state: string;
  reason?: string;
  exitCode?: string;
  name?: string;
}

/** The Slurm commands the executor uses (the command-line tools, or a fake in tests). */
export interface SlurmClient {
  /** `sbatch --parsable FILE`: the new job's id. */
  submit(scriptFile: string): string;
  /** This user's jobs slurmctld still knows (queued, running, recently ended), by id. */
  queue(): Map<string, JobInfo>;
  /** Final states of ended jobs from accounting (`sacct`, or `sacct --completion` without a database). */
  accounting(ids: readonly string[]): Map<string, JobInfo>;
  cancel(ids: readonly string[]): void;
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; code?: string; message: string };
    if (err.code === 'ENOENT') throw new ZlsError(`${cmd} not found: the Slurm client tools must be on PATH for --executor slurm`);
    throw new ZlsError(`${cmd} ${args.join(' ')} failed: ${(err.stderr || err.message).trim()}`);
  }
}

/** Parses `id|state|reason|name` or `id|state|exitcode` lines. */
function parseLines(text: string, fields: (keyof JobInfo | 'id')[]): Map<string, JobInfo> {
  const out = new Map<string, JobInfo>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const parts = line.split('|');
    const rec: Record<string, string> = {};
    fields.forEach((f, i) => (rec[f] = (parts[i] ?? '').trim()));
    // sacct: "CANCELLED by 0" → CANCELLED; job steps (12.batch) are not jobs.
    if (!rec['id'] || rec['id'].includes('.')) continue;
    out.set(rec['id'], { state: rec['state'].split(' ')[0], reason: rec['reason'] || undefined, exitCode: rec['exitCode'] || undefined, name: rec['name'] || undefined });
  }
  return out;
}

/** The Slurm client tools (sbatch, squeue, sacct, scancel) on PATH. */
export function commandLineSlurm(): SlurmClient {
  return {
    submit: (scriptFile) => run('sbatch', ['--parsable', scriptFile]).trim().split(';')[0],
    queue: () => parseLines(run('squeue', ['-h', '-u', os.userInfo().username, '-t', 'all', '-o', '%i|%T|%r|%j']), ['id', 'state', 'reason', 'name']),
    accounting: (ids) => {
      if (ids.length === 0) return new Map();
      const args = ['-n', '-P', '-X', '-j', ids.join(','), '-o', 'JobID,State,ExitCode'];
      try {
        return parseLines(execFileSync('sacct', args, { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] }), ['id', 'state', 'exitCode']);
      } catch {
        // No accounting database: the job completion log (JobCompType) answers `sacct --completion`.
        try {
          return parseLines(execFileSync('sacct', ['-c', ...args], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] }), ['id', 'state', 'exitCode']);
        } catch {
          return new Map();
        }
      }
    },
    cancel: (ids) => {
      if (ids.length) run('scancel', [...ids]);
    },
  };
}

/** Whether Slurm answers here (sinfo within a few seconds). */
export function slurmReachable(): boolean {
  try {
    execFileSync('sinfo', ['-h', '-o', '%P'], { timeout: 10_000, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Submitted jobs, oldest first, in <folder>/slurm/jobs.json: a node's last entry is its current job. */
interface JobRecord {
  node: string;
  job: string;
  submitted: string;
}

export function registryFile(folder: string): string {
  return path.join(folder, 'slurm', 'jobs.json');
}

export function readRegistry(folder: string): JobRecord[] {
  const file = registryFile(folder);
  if (!fs.existsSync(file)) return [];
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { jobs: JobRecord[] }).jobs;
}

function writeRegistry(folder: string, jobs: JobRecord[]): void {
  fs.mkdirSync(path.dirname(registryFile(folder)), { recursive: true });
  writeFileAtomic(registryFile(folder), JSON.stringify({ jobs }, null, 2) + '\n');
}

/** Slurm states in which a job has yet to end. */
const ACTIVE = new Set(['PENDING', 'RUNNING', 'SUSPENDED', 'COMPLETING', 'CONFIGURING', 'RESIZING', 'SIGNALING', 'STAGE_OUT', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'STOPPED', 'RESV_DEL_HOLD']);

export type NodeState = 'done' | 'queued' | 'running' | 'failed' | 'not submitted';

/** One line of `--status`. */
export interface JobStatus {
  /** A graph node, or `collect` (the job that writes the tables once every run is done). */
  id: string;
  node?: GraphNode;
  state: NodeState;
  job?: string;
  /** Slurm's state (and reason or exit code) when it says more than `state`. */
  slurm?: string;
}

/** What the executor needs besides Slurm itself. */
export interface SlurmContext extends ScriptContext {
  client: SlurmClient;
  /** Whether a node's output is complete on disk. */
  finished: (node: GraphNode) => boolean;
  /** The command of a node's job, and of the collect job. */
  commandOf: (node: GraphNode | 'collect') => string[];
  /** Whether the tables are written (the collect job's output). */
  collected: () => boolean;
}

/**
 * Each node's state: finished on disk is done whatever Slurm says; otherwise its newest job's state from squeue
 * (this user's jobs, so a job another submission made for the same stage counts too) or, once slurmctld has
 * forgotten it, from accounting. A job that ended without the node's output is failed.
 */
export function slurmStatus(nodes: readonly GraphNode[], ctx: SlurmContext): JobStatus[] {
  const registry = readRegistry(ctx.folder);
  const queue = ctx.client.queue();
  const byName = new Map<string, string>();
  for (const [id, info] of queue) if (info.name && ACTIVE.has(info.state)) byName.set(info.name, id);
  const current = (id: string) => byName.get(jobNameOf(ctx, id)) ?? registry.filter((r) => r.node === id).pop()?.job;
  const ids = [...nodes.map((n) => n.id), 'collect'];
  const jobs = new Map(ids.map((id) => [id, current(id)]));
  // Ended jobs: accounting adds the exit code to what squeue still says, and knows those squeue forgot.
  const ended = [...jobs.values()].filter((j): j is string => j !== undefined && !ACTIVE.has(queue.get(j)?.state ?? ''));
  const accounted = ctx.client.accounting(ended);
  const judge = (id: string, finished: boolean, node?: GraphNode): JobStatus => {
    const job = jobs.get(id);
    if (finished) return { id, node, state: 'done', job };
    if (!job) return { id, node, state: 'not submitted' };
    const queued = queue.get(job);
    const info = queued ? { ...queued, exitCode: queued.exitCode ?? accounted.get(job)?.exitCode } : accounted.get(job);
    if (!info) return { id, node, state: 'failed', job, slurm: 'unknown to squeue and sacct' };
    if (info.state === 'PENDING') return { id, node, state: 'queued', job, slurm: info.reason && info.reason !== 'None' ? `PENDING (${info.reason})` : 'PENDING' };
    if (ACTIVE.has(info.state)) return { id, node, state: 'running', job, slurm: info.state };
    const detail = info.state === 'COMPLETED' ? 'COMPLETED without its output' : [info.state, info.reason && info.reason !== 'None' ? info.reason : undefined, info.exitCode && info.exitCode !== '0:0' ? `exit ${info.exitCode}` : undefined].filter(Boolean).join(', ');
    return { id, node, state: 'failed', job, slurm: detail };
  };
  const statuses = nodes.map((n) => judge(n.id, ctx.finished(n), n));
  const runsDone = nodes.every((n) => n.kind !== 'run' || ctx.finished(n));
  statuses.push(judge('collect', runsDone && ctx.collected()));
  return statuses;
}

/** What a submission did. */
export interface Submission {
  submitted: { id: string; job: string; after: string[] }[];
  kept: { id: string; job: string }[];
  cancelled: string[];
}

/**
 * Submits what is missing or failed, in graph order, each job after (afterok) the jobs of the nodes it needs
 * that are not yet done; queued and running jobs are kept, unless one waits on a job that is being replaced
 * (then it is cancelled and submitted again). The collect job runs after every run's job.
 */
export function submitMissing(nodes: readonly GraphNode[], statuses: readonly JobStatus[], ctx: SlurmContext): Submission {
  const byId = new Map(statuses.map((s) => [s.id, s]));
  const jobOf = new Map<string, string>();
  const fresh = new Set<string>();
  const out: Submission = { submitted: [], kept: [], cancelled: [] };
  const registry = readRegistry(ctx.folder);
  const scripts = path.join(ctx.folder, 'slurm');
  fs.mkdirSync(scripts, { recursive: true });
  fs.mkdirSync(path.join(ctx.folder, 'logs'), { recursive: true });
  const handle = (id: string, needs: string[], what: string, node: GraphNode | 'collect') => {
    const status = byId.get(id) as JobStatus;
    if (status.state === 'done') return;
    const active = status.state === 'queued' || status.state === 'running';
    const waitsOnReplaced = status.state === 'queued' && needs.some((n) => fresh.has(n));
    if (active && !waitsOnReplaced) {
      jobOf.set(id, status.job as string);
      out.kept.push({ id, job: status.job as string });
      return;
    }
    if (waitsOnReplaced) {
      ctx.client.cancel([status.job as string]);
      out.cancelled.push(status.job as string);
    }
    const after = needs.map((n) => jobOf.get(n)).filter((j): j is string => j !== undefined);
    const script = sbatchScript({ id, what, command: ctx.commandOf(node), after }, ctx);
    const file = path.join(scripts, `${id}.sbatch`);
    fs.writeFileSync(file, script);
    const job = ctx.client.submit(file);
    registry.push({ node: id, job, submitted: new Date().toISOString() });
    writeRegistry(ctx.folder, registry);
    jobOf.set(id, job);
    fresh.add(id);
    out.submitted.push({ id, job, after });
  };
  for (const node of nodes) handle(node.id, node.needs, `${describeNode(node)} (${node.id})`, node);
  handle('collect', nodes.filter((n) => n.kind === 'run').map((n) => n.id), 'collect the tables', 'collect');
  return out;
}

/** `--status` as a table. */
export function statusTable(statuses: readonly JobStatus[], folder: string): string {
  const rows = statuses.map((s) => {
    const what = s.node ? describeNode(s.node) : 'tables and report';
    const usedBy = s.node?.kind === 'stage' ? s.node.usedBy.join(', ') : '';
    const log = s.job ? path.relative(process.cwd(), nodeLog(folder, s.id)) : '';
    return `| ${s.id} | ${what} | ${usedBy} | ${s.state}${s.slurm && s.state !== 'done' ? ` (${s.slurm})` : ''} | ${s.job ?? ''} | ${log} |`;
  });
  const counts = (['done', 'running', 'queued', 'failed', 'not submitted'] as const).map((k) => [k, statuses.filter((s) => s.state === k).length] as const).filter(([, n]) => n > 0);
  return ['| node | what | shared by | state | job | log |', '|---|---|---|---|---|---|', ...rows, '', counts.map(([k, n]) => `${n} ${k}`).join(', ')].join('\n');
}

/**
 * The failed nodes, each with its log's last lines; a node that could not run because a node it needs is not
 * done (Slurm cancels such jobs) is named in one line: the failure to read is the other one.
 */
export function failuresReport(statuses: readonly JobStatus[], folder: string): string {
  const finished = new Set(statuses.filter((s) => s.state === 'done').map((s) => s.id));
  const runIds = statuses.filter((s) => s.node?.kind === 'run').map((s) => s.id);
  return statuses
    .filter((s) => s.state === 'failed')
    .map((s) => {
      const blocked = (s.node ? s.node.needs : runIds).filter((n) => !finished.has(n));
      const what = s.node ? describeNode(s.node) : 'collect the tables';
      const why = `Slurm job ${s.job}: ${s.slurm ?? 'failed'}`;
      return blocked.length ? `  ${what} (${s.id}): not run (${why}), it needs ${blocked.join(', ')}` : failureReport(what, s.id, why, nodeLog(folder, s.id));
    })
    .join('\n');
}

/** Sleeps `ms`, or less when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Polls until every node is done (resolves true) or nothing is queued or running any more while some node
 * failed (false). Prints each state change.
 */
export async function waitForJobs(nodes: readonly GraphNode[], ctx: SlurmContext, options: { pollMs: number; print: (line: string) => void; signal?: AbortSignal }): Promise<{ ok: boolean; statuses: JobStatus[] }> {
  const seen = new Map<string, string>();
  for (;;) {
    const statuses = slurmStatus(nodes, ctx).filter((s) => s.id !== 'collect');
    for (const s of statuses) {
      const text = `${s.state}${s.slurm && s.state !== 'done' && s.state !== 'running' ? ` (${s.slurm})` : ''}`;
      if (seen.get(s.id) !== text) {
        if (seen.has(s.id) || s.state !== 'done') options.print(`${new Date().toISOString().slice(11, 19)} ${s.node ? describeNode(s.node) : s.id}${s.job ? ` [job ${s.job}]` : ''}: ${text}`);
        seen.set(s.id, text);
      }
    }
    if (statuses.every((s) => s.state === 'done')) return { ok: true, statuses };
    if (!statuses.some((s) => s.state === 'queued' || s.state === 'running')) return { ok: false, statuses };
    if (options.signal?.aborted) throw new ZlsError('stopped waiting (the jobs keep running; `--status` shows them, a rerun collects the table)');
    await sleep(options.pollMs, options.signal);
  }
}
