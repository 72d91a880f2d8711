import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkerInit } from './worker-protocol';

/** Nearest tsconfig above `dir` that carries the workspace's compiler options (decorators, metadata). */
function findTsconfig(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    for (const name of ['tsconfig.base.json', 'tsconfig.json']) {
      const candidate = path.join(d, name);
      if (fs.existsSync(candidate)) return candidate;
    }
    if (path.dirname(d) === d) return undefined;
  }
}

/**
 * Starts a loader thread. From TypeScript sources (jest, `node -r @swc-node/register`) the thread compiles
 * itself through @swc-node/register, pointed at the workspace tsconfig so legacy decorators work; from compiled
 * JavaScript it runs as plain node.
 */
export function spawnLoaderWorker(init: WorkerInit): Worker {
  const ext = path.extname(__filename);
  const entry = path.join(__dirname, `batch-worker${ext}`);
  if (ext !== '.ts') return new Worker(entry, { workerData: init });
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (!env['SWC_NODE_PROJECT'] && !env['TS_NODE_PROJECT']) {
    const tsconfig = findTsconfig(__dirname);
    if (tsconfig) env['SWC_NODE_PROJECT'] = tsconfig;
  }
  // Resolved from here, not from the working directory: `zls` may be started from any folder.
  return new Worker(entry, { workerData: init, execArgv: ['-r', require.resolve('@swc-node/register')], env });
}
