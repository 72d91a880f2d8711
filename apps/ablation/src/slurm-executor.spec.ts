import { ExperimentSchema } from '@zls/core';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PlannedStage } from '@zls/engine';
import { useTempDir } from '@zls/testing';
import type { PlannedRun } from './expand-ablation';
import {
  failuresReport,
  jobName,
  readRegistry,
  sbatchScript,
  shellQuote,
  slurmSettings,
  slurmStatus,
  statusTable,
  submitMissing,
  type JobInfo,
  type SlurmClient,
  type SlurmContext,
} from './slurm-executor';
import { buildStageGraph, nodeFinished, nodeLog, type StageGraph } from './stage-graph';

interface FakeJob extends JobInfo {
  name: string;
  after: string[];
  script: string;
}

/** slurmctld in memory: submitted jobs start PENDING; tests move them along. */
class FakeSlurm implements SlurmClient {
  readonly jobs = new Map<string, FakeJob>();
  /** Jobs slurmctld has forgotten (MinJobAge): only accounting knows them. */
  readonly forgotten = new Set<string>();
  readonly cancelled: string[] = [];
  private next = 100;

  submit(file: string): string {
    const script = fs.readFileSync(file, 'utf8');
    const id = String(this.next++);
    const name = /--job-name=(.*)/.exec(script)?.[1] ?? '';
    const after = /--dependency=afterok:(.*)/.exec(script)?.[1].split(':') ?? [];
    this.jobs.set(id, { state: 'PENDING', reason: after.length ? 'Dependency' : 'None', name, after, script });
    return id;
  }
  queue(): Map<string, JobInfo> {
    return new Map([...this.jobs].filter(([id]) => !this.forgotten.has(id)));
  }
  accounting(ids: readonly string[]): Map<string, JobInfo> {
    return new Map(ids.filter((id) => this.forgotten.has(id) && this.jobs.has(id)).map((id) => [id, this.jobs.get(id) as JobInfo]));
  }
  cancel(ids: readonly string[]): void {
    for (const id of ids) Object.assign(this.jobs.get(id) as FakeJob, { state: 'CANCELLED', reason: 'None' });
    this.cancelled.push(...ids);
  }
  set(id: string, state: string, extra: Partial<JobInfo> = {}): void {
    Object.assign(this.jobs.get(id) as FakeJob, { state, reason: undefined, ...extra });
  }
}

const run = (method: string): PlannedRun => ({ method, seed: 0, folder: `${method}-seed0-h`, config: {}, experiment: new ExperimentSchema(), configFile: '', overrides: [], hash: 'h' }) as PlannedRun;
const SPNET: PlannedStage = { key: 'spnet-aaa', name: 'spnet', steps: 4, files: [] };
const ROUND: PlannedStage = { key: 'round1-bbb', name: 'round-1', steps: 2, after: 'spnet-aaa', files: [] };

describe('the Slurm executor', () => {
  const dir = useTempDir('zls-slurm-unit-');
  let graph: StageGraph;
  let slurm: FakeSlurm;
  let ctx: SlurmContext;
  const stageRoot = () => path.join(dir(), 'runs', 'stages');
  const folder = () => path.join(dir(), 'runs', 'tiny');
  const finishStage = (stage: PlannedStage, step = stage.steps) => {
    fs.mkdirSync(path.join(stageRoot(), stage.key), { recursive: true });
    fs.writeFileSync(path.join(stageRoot(), stage.key, `${stage.name}-step${String(step).padStart(7, '0')}.safetensors`), '');
  };

  beforeEach(() => {
    graph = buildStageGraph([run('SPNet'), run('SPNet+ST')], (r) => (r.method === 'SPNet' ? [SPNET] : [SPNET, ROUND]));
    slurm = new FakeSlurm();
    ctx = {
      settings: slurmSettings(undefined, { cpusPerTask: 2 }),
      ablation: 'tiny',
      rootTag: 'tag',
      folder: folder(),
      cwd: dir(),
      client: slurm,
      finished: (n) => nodeFinished(n, folder(), stageRoot()),
      commandOf: (n) => ['node', 'zls-ablation.cjs', 'tiny.yaml', ...(n === 'collect' ? [] : ['--node', n.id])],
      collected: () => false,
    };
  });

  it('writes a batch script with the resources, the dependencies, and a log named by the node', () => {
    const settings = slurmSettings(
      { partition: 'cpu', time: '01:00:00', cpusPerTask: 4, mem: '8G', gpus: 1, account: 'proj', sbatch: ['#SBATCH --qos=low'], setup: ['module load nodejs/20'], node: '/opt/node' },
      { time: '00:30:00', sbatch: ['--constraint=a100'] },
    );
    const script = sbatchScript({ id: 'round1-bbb', what: 'round-1 of SPNet+ST seed 0', command: ['/opt/node', 'bin.cjs', "it's here.yaml", '--node', 'round1-bbb'], after: ['101', '102'] }, { ...ctx, settings });
    expect(script.split('\n')).toEqual([
      '#!/bin/bash',
      '# zls-ablation: round-1 of SPNet+ST seed 0',
      '#SBATCH --job-name=zls.tag.round1-bbb',
      `#SBATCH --output=${path.join(folder(), 'logs', 'round1-bbb.log')}`,
      '#SBATCH --open-mode=append',
      '#SBATCH --nodes=1',
      '#SBATCH --ntasks=1',
      '#SBATCH --cpus-per-task=4',
      '#SBATCH --partition=cpu',
      '#SBATCH --time=00:30:00',
      '#SBATCH --mem=8G',
      '#SBATCH --gres=gpu:1',
      '#SBATCH --account=proj',
      '#SBATCH --dependency=afterok:101:102',
      '#SBATCH --kill-on-invalid-dep=yes',
      '#SBATCH --qos=low',
      '#SBATCH --constraint=a100',
      'set -e',
      'module load nodejs/20',
      `cd ${dir()}`,
      'echo "== $(date -Is) Slurm job $SLURM_JOB_ID on $(hostname): round-1 of SPNet+ST seed 0"',
      `exec /opt/node bin.cjs 'it'\\''s here.yaml' --node round1-bbb`,
      '',
    ]);
    expect(shellQuote('a b')).toBe("'a b'");
    expect(slurmSettings(undefined).cpusPerTask).toBe(1);
    expect(slurmSettings(undefined).node).toBe(process.execPath);
  });

  it('submits one job per node once, shared stages once, each after the jobs of what it needs', () => {
    const first = submitMissing(graph.nodes, slurmStatus(graph.nodes, ctx), ctx);
    expect(first.submitted.map((s) => [s.id, s.job, s.after])).toEqual([
      ['spnet-aaa', '100', []],
      ['round1-bbb', '101', ['100']],
      ['run.SPNet-seed0-h', '102', ['100']],
      ['run.SPNet+ST-seed0-h', '103', ['101']],
      ['collect', '104', ['102', '103']],
    ]);
    expect(readRegistry(folder()).map((r) => `${r.node}=${r.job}`)).toEqual(['spnet-aaa=100', 'round1-bbb=101', 'run.SPNet-seed0-h=102', 'run.SPNet+ST-seed0-h=103', 'collect=104']);
    expect(fs.readFileSync(path.join(folder(), 'slurm', 'round1-bbb.sbatch'), 'utf8')).toContain('--node round1-bbb');
    // Rerun while everything is queued: nothing new.
    const again = submitMissing(graph.nodes, slurmStatus(graph.nodes, ctx), ctx);
    expect(again.submitted).toEqual([]);
    expect(again.kept.map((k) => k.job)).toEqual(['100', '101', '102', '103', '104']);
  });

  it('reports a failed job with its log, names what could not run because of it, and resubmits them all', () => {
    submitMissing(graph.nodes, slurmStatus(graph.nodes, ctx), ctx);
    fs.mkdirSync(path.join(folder(), 'logs'), { recursive: true });
    fs.writeFileSync(nodeLog(folder(), 'spnet-aaa'), 'backend: cpu\nstage spnet: loss became NaN at step 3; stopped\n');
    slurm.set('100', 'FAILED', { exitCode: '1:0' });
    for (const id of ['101', '102', '103', '104']) slurm.set(id, 'CANCELLED', { reason: 'DependencyNeverSatisfied' });
    slurm.forgotten.add('103'); // already out of slurmctld's memory: accounting tells
    const statuses = slurmStatus(graph.nodes, ctx);
    expect(statuses.map((s) => `${s.id}: ${s.state} ${s.slurm ?? ''}`)).toEqual([
      'spnet-aaa: failed FAILED, exit 1:0',
      'round1-bbb: failed CANCELLED, DependencyNeverSatisfied',
      'run.SPNet-seed0-h: failed CANCELLED, DependencyNeverSatisfied',
      'run.SPNet+ST-seed0-h: failed CANCELLED, DependencyNeverSatisfied',
      'collect: failed CANCELLED, DependencyNeverSatisfied',
    ]);
    const report = failuresReport(statuses, folder());
    expect(report).toContain(`spnet of SPNet seed 0 (spnet-aaa) Slurm job 100: FAILED, exit 1:0\n    log: ${nodeLog(folder(), 'spnet-aaa')}\n    | backend: cpu\n    | stage spnet: loss became NaN at step 3; stopped`);
    expect(report).toContain('round-1 of SPNet+ST seed 0 (round1-bbb): not run (Slurm job 101: CANCELLED, DependencyNeverSatisfied), it needs spnet-aaa');
    expect(statusTable(statuses, folder())).toMatch(/\| spnet-aaa \| spnet of SPNet seed 0 \| SPNet seed 0, SPNet\+ST seed 0 \| failed \(FAILED, exit 1:0\) \| 100 \| .*spnet-aaa\.log \|/);
    const resubmitted = submitMissing(graph.nodes, statuses, ctx);
    expect(resubmitted.submitted.map((s) => [s.id, s.after])).toEqual([
      ['spnet-aaa', []],
      ['round1-bbb', ['105']],
      ['run.SPNet-seed0-h', ['105']],
      ['run.SPNet+ST-seed0-h', ['106']],
      ['collect', ['107', '108']],
    ]);
  });

  it('a cancelled job is resubmitted alone: what waits on it is moved to the new job, finished stages need no job', () => {
    submitMissing(graph.nodes, slurmStatus(graph.nodes, ctx), ctx);
    finishStage(SPNET);
    finishStage(ROUND, 1); // scancel'led after its first checkpoint
    slurm.set('100', 'COMPLETED');
    slurm.set('101', 'CANCELLED');
    slurm.set('102', 'RUNNING');
    const statuses = slurmStatus(graph.nodes, ctx);
    expect(statuses.map((s) => s.state)).toEqual(['done', 'failed', 'running', 'queued', 'queued']);
    const sub = submitMissing(graph.nodes, statuses, ctx);
    // round-1 again, with no dependency (the SPNet is on disk); the ST run and collect waited on replaced jobs.
    expect(sub.submitted.map((s) => [s.id, s.after])).toEqual([
      ['round1-bbb', []],
      ['run.SPNet+ST-seed0-h', ['105']],
      ['collect', ['102', '106']],
    ]);
    expect(sub.kept.map((k) => k.id)).toEqual(['run.SPNet-seed0-h']);
    expect(sub.cancelled).toEqual(['103', '104']);
  });

  it("uses a queued job of another submission (another ablation sharing the stage) instead of submitting one, but never its collect job", () => {
    slurm.jobs.set('77', { state: 'RUNNING', name: jobName('tag', 'spnet-aaa'), after: [], script: '' });
    slurm.jobs.set('78', { state: 'PENDING', name: jobName('tag', 'other.collect'), after: ['77'], script: '' });
    const sub = submitMissing(graph.nodes, slurmStatus(graph.nodes, ctx), ctx);
    expect(sub.kept).toEqual([{ id: 'spnet-aaa', job: '77' }]);
    expect(sub.submitted[0]).toEqual({ id: 'round1-bbb', job: '100', after: ['77'] });
    expect(sub.submitted.pop()).toMatchObject({ id: 'collect', after: ['101', '102'] });
    expect(sub.cancelled).toEqual([]);
    expect(slurm.jobs.get('103')?.name).toBe('zls.tag.tiny.collect');
  });

  it('a job that completed without its output, or that nobody remembers, counts as failed', () => {
    submitMissing(graph.nodes, slurmStatus(graph.nodes, ctx), ctx);
    slurm.set('100', 'COMPLETED');
    slurm.forgotten.add('101');
    slurm.jobs.delete('101');
    const [spnet, round] = slurmStatus(graph.nodes, ctx);
    expect(spnet).toMatchObject({ state: 'failed', slurm: 'COMPLETED without its output' });
    expect(round).toMatchObject({ state: 'failed', slurm: 'unknown to squeue and sacct' });
  });
});
