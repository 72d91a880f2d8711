import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { ZlsError } from '@zls/core';
import { describeNode, nodeLog, nodeTag, tailOf, type GraphNode, type StageGraph } from './stage-graph';

/** A node being run by a child process. */
export interface NodeProcess {
  /** Resolves with the exit code (null: killed by a signal). */
  exit: Promise<number | null>;
  /** Asks it to checkpoint and stop (SIGINT). */
  interrupt(): void;
}

export interface LocalExecutorOptions {
  graph: StageGraph;
  /** The nodes to run (each after the nodes it needs); finished ones are skipped. */
  nodes: readonly GraphNode[];
  finished: (node: GraphNode) => boolean;
  /** Nodes at once. */
  jobs: number;
  /** Starts a node with this many onnxruntime threads. */
  launch: (node: GraphNode, threads: number) => NodeProcess;
  /** Log file of a node, named in failure reports. */
  logOf: (node: GraphNode) => string;
  print?: (line: string) => void;
  signal?: AbortSignal;
  /** Cores shared by the jobs (default: availableParallelism()). */
  cores?: number;
  /** Threads of each job (default: threadBudget(cores, jobs)). */
  threads?: number;
}

/** Each job's thread budget: the cores split evenly, at least one each. */
export function threadBudget(cores: number, jobs: number): number {
  return Math.max(1, Math.floor(cores / jobs));
}

/**
 * Which ready node to start first: the one with the most training steps on its longest path to the end, so
 * that long chains (the SPNet, then its rounds) start early and short side branches fill the gaps.
 */
export function criticalPathWeights(nodes: readonly GraphNode[]): Map<string, number> {
  const weight = new Map<string, number>();
  const dependents = new Map<string, GraphNode[]>();
  for (const n of nodes) for (const need of n.needs) dependents.set(need, [...(dependents.get(need) ?? []), n]);
  const visit = (n: GraphNode): number => {
    const known = weight.get(n.id);
    if (known !== undefined) return known;
    const own = n.kind === 'stage' ? (n.stage?.steps ?? 0) : 0;
    const w = own + Math.max(0, ...(dependents.get(n.id) ?? []).map(visit));
    weight.set(n.id, w);
    return w;
  };
  nodes.forEach(visit);
  return weight;
}

/**
 * Runs the nodes of a stage graph as child processes, at most `jobs` at once, each as soon as the nodes it
 * needs are finished. A failed node stops new starts; the running ones finish, then the failure is reported
 * with its log. Aborting `signal` interrupts the children (each saves a checkpoint).
 */
export async function executeLocally(options: LocalExecutorOptions): Promise<void> {
  const print = options.print ?? (() => undefined);
  const threads = options.threads ?? threadBudget(options.cores ?? availableParallelism(), options.jobs);
  const todo = options.nodes.filter((n) => !options.finished(n));
  if (todo.length === 0) return;
  const weights = criticalPathWeights(options.nodes);
  const done = new Set(options.nodes.filter((n) => options.finished(n)).map((n) => n.id));
  const waiting = new Set(todo.map((n) => n.id));
  const running = new Map<string, { node: GraphNode; proc: NodeProcess; started: number }>();
  const failures: { node: GraphNode; why: string }[] = [];
  print(`local executor: ${todo.length} node(s) to run, ${options.jobs} at once, ${threads} thread(s) each`);
  const onAbort = () => {
    for (const r of running.values()) r.proc.interrupt();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const stop = failures.length > 0 || options.signal?.aborted;
      if (!stop) {
        const ready = todo
          .filter((n) => waiting.has(n.id) && n.needs.every((id) => done.has(id) || !options.graph.byId.has(id)))
          .sort((a, b) => (weights.get(b.id) ?? 0) - (weights.get(a.id) ?? 0));
        for (const node of ready) {
          if (running.size >= options.jobs) break;
          waiting.delete(node.id);
          print(`start  ${nodeTag(node)} (${node.id})`);
          running.set(node.id, { node, proc: options.launch(node, threads), started: Date.now() });
        }
      }
      if (running.size === 0) break;
      const [id, code] = await Promise.race([...running.entries()].map(([id, r]) => r.proc.exit.then((c) => [id, c] as const)));
      const { node, started } = running.get(id) as { node: GraphNode; started: number };
      running.delete(id);
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      if (code === 0 && options.finished(node)) {
        done.add(id);
        print(`done   ${nodeTag(node)} (${seconds} s)`);
      } else {
        const why = code === 0 ? 'exited without finishing it' : code === null ? 'was killed' : `exited with code ${code}`;
        failures.push({ node, why });
        print(`${options.signal?.aborted ? 'stopped' : 'failed'} ${nodeTag(node)}: ${why} (${seconds} s)`);
      }
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  // Interrupted children exit non-zero too: that is the interruption, not a failure.
  if (options.signal?.aborted) throw new ZlsError('interrupted: the running stages saved checkpoints; run again to resume');
  if (failures.length) {
    const report = failures.map(({ node, why }) => failureReport(describeNode(node), node.id, why, options.logOf(node))).join('\n');
    throw new ZlsError(`${failures.length} node(s) failed; a rerun resumes from their checkpoints:\n${report}`);
  }
  const left = todo.filter((n) => !done.has(n.id));
  if (left.length) throw new ZlsError(`not run (what they need did not finish): ${left.map((n) => n.id).join(', ')}`);
}

/** A failed node in words: what, why, its log and the log's last lines. */
export function failureReport(what: string, id: string, why: string, log: string, lines = 12): string {
  const tail = tailOf(log, lines);
  return [`  ${what} (${id}) ${why}`, `    log: ${path.resolve(log)}`, ...(tail.length ? tail.map((l) => `    | ${l}`) : ['    (the log is empty or missing)'])].join('\n');
}

export interface SpawnNodeContext {
  /** The ablation file, the output root and the options every node takes (`--allow-random-init`). */
  file: string;
  out: string;
  folder: string;
  extraArgs?: readonly string[];
  print?: (line: string) => void;
}

/** The zls-ablation entry point (run by this node.js, through swc). */
export const ABLATION_BIN = path.resolve(__dirname, '../bin/zls-ablation.cjs');

/**
 * Starts `zls-ablation FILE --node ID` as a child process in its own process group (Ctrl-C reaches only this
 * process, which passes one SIGINT on), its output appended to the node's log and printed with the node's tag.
 */
export function spawnNode(ctx: SpawnNodeContext, node: GraphNode, threads: number): NodeProcess {
  const log = nodeLog(ctx.folder, node);
  fs.mkdirSync(path.dirname(log), { recursive: true });
  const stream = fs.createWriteStream(log, { flags: 'a' });
  stream.write(`== ${new Date().toISOString()} local executor: ${describeNode(node)}, pid ${process.pid}'s child, ${threads} thread(s)\n`);
  const args = [ABLATION_BIN, path.resolve(ctx.file), '--out', path.resolve(ctx.out), '--node', node.id, '--threads', String(threads), '--no-progress', ...(ctx.extraArgs ?? [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const tag = nodeTag(node);
  const forward = (chunk: Buffer, rest: { s: string }) => {
    stream.write(chunk);
    rest.s += chunk.toString('utf8');
    const lines = rest.s.split('\n');
    rest.s = lines.pop() as string;
    for (const line of lines) if (line.trim()) ctx.print?.(`  [${tag}] ${line.split('\r').pop()}`);
  };
  const out = { s: '' };
  const err = { s: '' };
  child.stdout.on('data', (c: Buffer) => forward(c, out));
  child.stderr.on('data', (c: Buffer) => forward(c, err));
  const exit = new Promise<number | null>((resolve) => {
    child.on('error', (e) => {
      stream.write(`could not start: ${e.message}\n`);
      stream.end(() => resolve(127));
    });
    child.on('close', (code) => {
      stream.write(`== exit ${code ?? 'signal'}\n`);
      stream.end(() => resolve(code));
    });
  });
  return { exit, interrupt: () => child.kill('SIGINT') };
}
