import { ExperimentSchema } from '@zls/core';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PlannedStage, RunResult } from '@zls/engine';
import { createRegistries } from '@zls/runtime';
import { useTempDir, writeTinyAblation } from '@zls/testing';
import { executeAblation } from './execute-ablation';
import type { PlannedRun } from './expand-ablation';
import { criticalPathWeights, executeLocally, threadBudget, type NodeProcess } from './local-executor';
import { runAblation } from './run-ablation';
import { buildStageGraph, type GraphNode } from './stage-graph';

const experiments = path.resolve(__dirname, '../../../experiments');
const run = (method: string): PlannedRun => ({ method, seed: 0, folder: `${method}-seed0-h`, config: {}, experiment: new ExperimentSchema(), configFile: '', overrides: [], hash: 'h' }) as PlannedRun;
const SPNET: PlannedStage = { key: 'spnet-a', name: 'spnet', steps: 1000, files: [] };
const HELD: PlannedStage = { key: 'spnet-held-out-b', name: 'spnet-held-out', steps: 1000, files: [] };
const R1: PlannedStage = { key: 'round1-c', name: 'round-1', steps: 400, after: 'spnet-a', files: [] };
const R2: PlannedStage = { key: 'round2-d', name: 'round-2', steps: 400, after: 'round1-c', files: [] };

/** SPNet, SPNet-c (held-out SPNet), a 2-round student: the main job's shape. */
function mainJobShape() {
  return buildStageGraph([run('SPNet'), run('SPNet-c'), run('ST-2r')], (r) => (r.method === 'SPNet' ? [SPNET] : r.method === 'SPNet-c' ? [SPNET, HELD] : [SPNET, R1, R2]));
}

/** Child processes that the test ends by hand. */
function fakeLaunch() {
  const running = new Map<string, (code: number) => void>();
  const started: string[] = [];
  let most = 0;
  const launch = (node: GraphNode, threads: number): NodeProcess => {
    started.push(`${node.id}/${threads}`);
    const exit = new Promise<number | null>((resolve) => running.set(node.id, resolve));
    most = Math.max(most, running.size);
    return { exit, interrupt: () => undefined };
  };
  const finish = async (id: string, code = 0) => {
    const end = running.get(id);
    if (!end) throw new Error(`${id} is not running (running: ${[...running.keys()]})`);
    running.delete(id);
    end(code);
    await new Promise((r) => setTimeout(r, 5));
  };
  return { launch, finish, started, running, most: () => most };
}

/** executeLocally over the main job's shape with fake children, 2 jobs on 2 cores; finished nodes are recorded. */
function runFake(graph: ReturnType<typeof mainJobShape>, finished: Set<string>, fake: ReturnType<typeof fakeLaunch>, logDir: string, print?: (l: string) => void) {
  return executeLocally({
    graph,
    nodes: graph.nodes,
    finished: (n) => finished.has(n.id),
    jobs: 2,
    cores: 2,
    launch: (n, t) => {
      const p = fake.launch(n, t);
      void p.exit.then((c) => c === 0 && finished.add(n.id));
      return p;
    },
    logOf: (n) => path.join(logDir, `${n.id}.log`),
    print,
  });
}

describe('the local executor', () => {
  const dir = useTempDir('zls-local-exec-');

  it('splits the cores between the jobs and starts the longest chains first', () => {
    expect(threadBudget(2, 2)).toBe(1);
    expect(threadBudget(16, 3)).toBe(5);
    expect(threadBudget(2, 4)).toBe(1);
    const weights = criticalPathWeights(mainJobShape().nodes);
    expect(weights.get('spnet-a')).toBe(1800);
    expect(weights.get('spnet-held-out-b')).toBe(1000);
    expect(weights.get('round1-c')).toBe(800);
  });

  it('runs independent nodes at once, at most `jobs`, each once what it needs is finished', async () => {
    const graph = mainJobShape();
    const finished = new Set<string>();
    const fake = fakeLaunch();
    const lines: string[] = [];
    const done = runFake(graph, finished, fake, dir(), (l) => lines.push(l));
    await new Promise((r) => setTimeout(r, 5));
    // The SPNet and the held-out SPNet need nothing: both start, one thread each.
    expect(fake.started).toEqual(['spnet-a/1', 'spnet-held-out-b/1']);
    await fake.finish('spnet-a');
    expect([...fake.running.keys()].sort()).toEqual(['round1-c', 'spnet-held-out-b']);
    await fake.finish('round1-c');
    expect([...fake.running.keys()].sort()).toEqual(['round2-d', 'spnet-held-out-b']);
    await fake.finish('spnet-held-out-b');
    await fake.finish('run.SPNet-seed0-h');
    await fake.finish('run.SPNet-c-seed0-h');
    await fake.finish('round2-d');
    await fake.finish('run.ST-2r-seed0-h');
    await done;
    expect(fake.most()).toBe(2);
    expect(fake.started).toHaveLength(graph.nodes.length);
    expect(lines[0]).toBe('local executor: 7 node(s) to run, 2 at once, 1 thread(s) each');
  });

  it('a failed node stops new starts; its log is reported once the running ones end', async () => {
    const graph = mainJobShape();
    const finished = new Set<string>(['spnet-a']);
    const fake = fakeLaunch();
    fs.writeFileSync(path.join(dir(), 'round1-c.log'), 'round 1: labelling\nstage round-1: loss became NaN at step 7; stopped, the last good checkpoint is kept\n');
    const done = runFake(graph, finished, fake, dir());
    const error = done.then(
      () => new Error('no failure'),
      (e: Error) => e,
    );
    const failure = expect(error.then((e) => Promise.reject(e))).rejects.toThrow(
      new RegExp(`1 node\\(s\\) failed; a rerun resumes from their checkpoints:\\n  round-1 of ST-2r seed 0 \\(round1-c\\) exited with code 1\\n    log: .*round1-c\\.log\\n    \\| round 1: labelling\\n    \\| stage round-1: loss became NaN at step 7`),
    );
    await new Promise((r) => setTimeout(r, 5));
    expect(fake.started).toEqual(['spnet-held-out-b/1', 'round1-c/1']);
    await fake.finish('round1-c', 1);
    expect([...fake.running.keys()]).toEqual(['spnet-held-out-b']); // nothing new started
    await fake.finish('spnet-held-out-b');
    await failure;
  });

  it('--jobs 2 on a tiny ablation gives the same runs and table as the runs one after another in one process (same threads)', async () => {
    const file = writeTinyAblation(dir(), experiments, ['train.iterations=4', 'selfTraining.train.iterations=2']);
    // Float round-off depends on onnxruntime's thread count: both sides use one thread per run.
    const one = await runAblation({ file, registries: createRegistries(), out: path.join(dir(), 'one'), threads: 1 });
    const lines: string[] = [];
    const two = await executeAblation({ file, registries: createRegistries(), out: path.join(dir(), 'two'), jobs: 2, threads: 1, print: (l) => lines.push(l) });
    expect(two.code).toBe(0);
    expect(two.outcome?.markdown).toBe(one.markdown);
    expect(two.outcome?.qualityMarkdown).toBe(one.qualityMarkdown);
    expect(lines.join('\n')).toMatch(/local executor: 4 node\(s\) to run, 2 at once, 1 thread\(s\) each/);
    const results = (out: string) =>
      Object.fromEntries(
        fs.readdirSync(path.join(out, 'tiny')).filter((d) => d.includes('-seed')).map((d) => {
          const r = JSON.parse(fs.readFileSync(path.join(out, 'tiny', d, 'results.json'), 'utf8')) as RunResult;
          return [d, { headline: r.headline, stages: r.stages.map((s) => [s.name, s.key, s.headline]), quality: r.pseudoLabelQuality }];
        }),
      );
    expect(results(path.join(dir(), 'two'))).toEqual(results(path.join(dir(), 'one')));
    // The graph's stages are the stages the runs used, and the shared SPNet had one job.
    const used = new Set(Object.values(results(path.join(dir(), 'one'))).flatMap((r) => r.stages.map((s) => s[1] as string)));
    const logs = fs.readdirSync(path.join(dir(), 'two', 'tiny', 'logs')).map((f) => f.replace(/\.log$/, ''));
    expect(logs.filter((l) => !l.startsWith('run.')).sort()).toEqual([...used].sort());
    expect(fs.readFileSync(path.join(dir(), 'two', 'tiny', 'logs', `${[...used].find((k) => k.startsWith('spnet-'))}.log`), 'utf8').match(/== .* local executor/g)).toHaveLength(1);
  }, 240_000);
});
