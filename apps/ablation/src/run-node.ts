import * as path from 'node:path';
import { ZlsError, type Registries } from '@zls/core';
import { runConfig, trainConfigStage } from '@zls/runtime';
import { planAblation, runConfigOf } from './run-ablation';
import { buildStageGraph, describeNode, nodeFinished, runDirOf, type GraphNode } from './stage-graph';

export interface RunNodeOptions {
  file: string;
  registries: Registries;
  out: string;
  /** The node's id (a stage key, or `run.<run folder>`). */
  node: string;
  print?: (line: string) => void;
  showProgress?: boolean;
  signal?: AbortSignal;
  allowRandomInit?: boolean;
  /** onnxruntime threads (the job's budget). */
  threads?: number;
  waitForStages?: boolean;
}

/**
 * One node of an ablation's stage graph, in this process (what a Slurm job or a local executor's child runs):
 * a stage node trains its run's stages up to and including that stage (earlier ones are found finished under
 * their keys), a run node runs the whole run, whose stages are then all finished, and writes its results.json.
 */
export async function runNode(options: RunNodeOptions): Promise<GraphNode> {
  const print = options.print ?? (() => undefined);
  const { runs, folder, stageRoot } = await planAblation({ ...options, only: undefined });
  const graph = buildStageGraph(runs);
  const node = graph.byId.get(options.node);
  if (!node) throw new ZlsError(`no node "${options.node}" in this ablation's stage graph (${graph.nodes.map((n) => n.id).join(', ')})`);
  const missing = node.needs.map((id) => graph.byId.get(id) as GraphNode).filter((n) => !nodeFinished(n, folder, stageRoot));
  if (missing.length) print(`note: ${missing.map((n) => `${describeNode(n)} (${n.id})`).join(', ')} not finished yet: trained here first`);
  print(`${describeNode(node)} (${node.id})${node.kind === 'stage' ? `, for ${node.usedBy.join(', ')}` : ''}`);
  const common = {
    ...runConfigOf(node.run, options.allowRandomInit),
    registries: options.registries,
    stageRoot,
    sourceFiles: [node.run.configFile],
    print,
    showProgress: options.showProgress,
    signal: options.signal,
    threads: options.threads,
    waitForStages: options.waitForStages,
  };
  if (node.kind === 'stage') {
    // A stage job scores nothing; its scratch folder only takes the resolved config.
    await trainConfigStage({ ...common, runDir: path.join(folder, 'jobs', node.id) }, node.id);
  } else {
    const result = await runConfig({ ...common, runDir: runDirOf(folder, node.run) });
    const h = result.headline;
    print(`${node.run.method} seed ${node.run.seed}: seen ${h.seen.toFixed(1)} | unseen ${h.unseen.toFixed(1)} | harmonic ${h.harmonic.toFixed(1)}`);
  }
  return node;
}
