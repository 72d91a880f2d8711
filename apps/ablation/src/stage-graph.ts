import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkpointStep, describeOwner, planStages, readLockOwner, stageFinished, STAGE_LOCK_FILE, type PlannedStage } from '@zls/engine';
import type { PlannedRun } from './expand-ablation';

/**
 * One unit of work of an ablation: a stage (trained once, whichever runs share it) or a run (every stage of the
 * run is finished: score each, calibrate, write results.json). A job of an executor.
 */
export interface GraphNode {
  /** The stage's key, or `run.<run folder>`: unique, file-safe, and the name of the node's log. */
  id: string;
  kind: 'stage' | 'run';
  /** Kind `stage`: what runExperiment trains. */
  stage?: PlannedStage;
  /** Kind `run`: the run; kind `stage`: the first run that needs the stage (its config trains it). */
  run: PlannedRun;
  /** Nodes that must be finished first. */
  needs: string[];
  /** The runs that need this node, as "method seed N". */
  usedBy: string[];
}

export interface StageGraph {
  /** Every node once, each after the nodes it needs. */
  nodes: GraphNode[];
  byId: Map<string, GraphNode>;
}

export function runNodeId(run: PlannedRun): string {
  return `run.${run.folder}`;
}

/** "round-1 of STRICT seed 0", "run SPNet seed 0": a node in words. */
export function describeNode(node: GraphNode): string {
  return node.kind === 'stage' ? `${node.stage?.name} of ${node.run.method} seed ${node.run.seed}` : `run ${node.run.method} seed ${node.run.seed}`;
}

/** A short tag for log prefixes: `round-1@STRICT-s0`, `run@SPNet-s0`. */
export function nodeTag(node: GraphNode): string {
  return `${node.kind === 'stage' ? node.stage?.name : 'run'}@${node.run.method}-s${node.run.seed}`;
}

/**
 * The stage graph of an ablation's runs: each run's stages in order (a stage needs the one it starts from), a
 * stage shared by several runs (by key: the SPNet of a seed, a first round) once, and a node per run that needs
 * all of the run's stages. `stagesOf` gives a run's stages (default: planStages of its experiment).
 */
export function buildStageGraph(runs: readonly PlannedRun[], stagesOf: (run: PlannedRun) => PlannedStage[] = (r) => planStages(r.experiment, r.config)): StageGraph {
  const nodes: GraphNode[] = [];
  const byId = new Map<string, GraphNode>();
  const runNodes: GraphNode[] = [];
  for (const run of runs) {
    const who = `${run.method} seed ${run.seed}`;
    const stages = stagesOf(run);
    for (const stage of stages) {
      const existing = byId.get(stage.key);
      if (existing) {
        if (!existing.usedBy.includes(who)) existing.usedBy.push(who);
        continue;
      }
      const node: GraphNode = { id: stage.key, kind: 'stage', stage, run, needs: stage.after ? [stage.after] : [], usedBy: [who] };
      nodes.push(node);
      byId.set(node.id, node);
    }
    // A run needs the last stage of its chain (which needs the earlier ones) and any stage outside the chain.
    const needs = stages.filter((s) => !stages.some((t) => t.after === s.key)).map((s) => s.key);
    const id = runNodeId(run);
    if (byId.has(id)) continue;
    const node: GraphNode = { id, kind: 'run', run, needs, usedBy: [who] };
    runNodes.push(node);
    byId.set(id, node);
  }
  // Stages first (a stage's chain is listed in order, so each comes after what it needs), then the runs.
  return { nodes: [...nodes, ...runNodes], byId };
}

/** Where a run's results go. */
export function runDirOf(folder: string, run: PlannedRun): string {
  return path.join(folder, run.folder);
}

/** Whether a node's output is complete on disk: the stage's final checkpoint, or the run's results.json. */
export function nodeFinished(node: GraphNode, folder: string, stageRoot: string): boolean {
  if (node.kind === 'stage') return stageFinished(stageRoot, node.stage as PlannedStage);
  return fs.existsSync(path.join(runDirOf(folder, node.run), 'results.json'));
}

/** Who is writing a stage right now, from its lock file (undefined: nobody). */
export function stageWriter(node: GraphNode, stageRoot: string): string | undefined {
  if (node.kind !== 'stage') return undefined;
  const owner = readLockOwner(path.join(stageRoot, node.id, STAGE_LOCK_FILE));
  if (owner === undefined) return undefined;
  return owner === null ? 'an unreadable lock' : describeOwner(owner);
}

/** A node's log file: <ablation folder>/logs/<node id>.log (for Slurm jobs and local child processes alike). */
export function nodeLog(folder: string, node: GraphNode | string): string {
  return path.join(folder, 'logs', `${typeof node === 'string' ? node : node.id}.log`);
}

/** The last `n` lines of a file ('' when it does not exist). */
export function tailOf(file: string, n = 12): string[] {
  if (!fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, 'utf8');
  // Progress lines rewrite themselves with \r: keep what a terminal would show last.
  const lines = text.split('\n').map((l) => l.split('\r').pop() as string);
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  return lines.slice(-n);
}

/** The nodes these runs need (their run nodes and everything those need), in graph order. */
export function nodesFor(graph: StageGraph, runs: readonly PlannedRun[]): GraphNode[] {
  const want = new Set<string>();
  const add = (id: string): void => {
    if (want.has(id)) return;
    want.add(id);
    for (const need of graph.byId.get(id)?.needs ?? []) add(need);
  };
  for (const run of runs) add(runNodeId(run));
  return graph.nodes.filter((n) => want.has(n.id));
}

/** How far an unfinished stage got: "step 250/1000" from its newest checkpoint ('' when none). */
export function stageProgress(node: GraphNode, stageRoot: string): string {
  if (node.kind !== 'stage' || !node.stage) return '';
  const step = checkpointStep(path.join(stageRoot, node.id), node.stage.name);
  return step > 0 && step < node.stage.steps ? `checkpoint at step ${step}/${node.stage.steps}` : '';
}
