import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TINY_SYNTHETIC_OVERRIDES, useTempDir } from '@zls/testing';
import { ABLATION_BIN } from './local-executor';
import { jobName, readRegistry, rootTagOf, slurmReachable } from './slurm-executor';

// Against a real Slurm (tools/slurm/start-test-cluster.sh starts a one-node cluster; .ci/run does). Without one
// the suite is skipped with a notice.
const reachable = slurmReachable();
if (!reachable) {
  process.stdout.write('slurm-executor.slurm.spec: no Slurm reachable (sinfo fails): skipped; start one with sudo tools/slurm/start-test-cluster.sh\n');
}

const experiments = path.resolve(__dirname, '../../../experiments');
const root = path.resolve(__dirname, '../../..');
const SPNET = path.join(experiments, 'spnet/spnet_synthetic-net_1000_synthetic-64.yaml');
const SPNET_ST = path.join(experiments, 'spnet-st/spnet-st_synthetic-net_1000+400_synthetic-64.yaml');
// The student trains long enough (80 steps, a checkpoint every 5) for scancel to catch it running.
const TINY = [...TINY_SYNTHETIC_OVERRIDES, 'train.iterations=6', 'selfTraining.train.iterations=80', 'selfTraining.train.checkpointEvery=5'];

function ablationFile(dir: string, name: string, methods: string[], set: string[] = TINY): string {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, [`name: ${name}`, 'seeds: [0]', `set: [${set.map((s) => JSON.stringify(s)).join(', ')}]`, 'methods:', ...methods.map((m) => `  - ${m}`)].join('\n') + '\n');
  return file;
}

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [ABLATION_BIN, ...args], { cwd: root, encoding: 'utf8', timeout: 200_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking this process (it keeps polling while the command runs). */
function cliAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [ABLATION_BIN, ...args], { cwd: root });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Every job of this output root that Slurm's accounting (or, without a database, its completion log) knows. */
function accountedJobs(out: string): { id: string; name: string; state: string }[] {
  const args = ['-n', '-P', '-X', '-S', 'now-1days', '-E', 'now', '-o', 'JobID,JobName,State'];
  let text: string;
  try {
    text = execFileSync('sacct', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    text = execFileSync('sacct', ['-c', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }
  const prefix = `zls.${rootTagOf(out)}.`;
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('|'))
    .map(([id, name, state]) => ({ id, name, state: state.split(' ')[0] }))
    .filter((j) => j.name.startsWith(prefix));
}

async function until(what: string, condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const squeueState = (job: string) => execFileSync('squeue', ['-h', '-t', 'all', '-j', job, '-o', '%T'], { encoding: 'utf8' }).trim();

(reachable ? describe : describe.skip)('zls-ablation --executor slurm on a real Slurm', () => {
  const dir = useTempDir('zls-slurm-');

  afterEach(() => {
    // Nothing of ours stays queued.
    for (const folder of ['tiny', 'broken'].map((n) => path.join(dir(), 'slurm-runs', n))) {
      const jobs = readRegistry(folder).map((r) => r.job);
      if (jobs.length) spawnSync('scancel', jobs);
    }
  });

  it('gives the local table, runs a shared stage once, resumes a scancelled job, and reports a job that fails', async () => {
    const methods = [`{name: SPNet, config: ${SPNET}}`, `{name: SPNet+ST, config: ${SPNET_ST}}`];
    const file = ablationFile(dir(), 'tiny', methods);
    // A method that diverges on purpose (learning rate 1e6): its SPNet job fails.
    const broken = ablationFile(dir(), 'broken', [`{name: Diverges, config: ${SPNET}, set: [train.lr=1000000]}`, `{name: Diverges+ST, config: ${SPNET_ST}, set: [train.lr=1000000]}`]);
    const out = path.join(dir(), 'slurm-runs');
    const folder = path.join(out, 'tiny');

    // 1. Submit both; nothing waits.
    const submitted = cli([file, '--out', out, '--executor', 'slurm', '--cpus-per-task', '1', '--time', '10']);
    expect(submitted.stderr).not.toMatch(/zls-ablation:/);
    expect(submitted.code).toBe(0);
    expect(submitted.stdout).toMatch(/tiny: submitted 5 job\(s\), 0 still queued or running, 0 of 4 node\(s\) done/);
    const brokenRun = cli([broken, '--out', out, '--executor', 'slurm', '--cpus-per-task', '1']);
    expect(brokenRun.code).toBe(0);

    // The reference table, computed on this machine (another process) while Slurm works.
    // (one onnxruntime thread, as each 1-CPU job has: float round-off depends on the thread count)
    const localRun = cliAsync([file, '--out', path.join(dir(), 'local-runs'), '--threads', '1', '--no-progress']);
    try {

      // 2. scancel the student's job once it has written a checkpoint.
      const registry = () => readRegistry(folder);
      const roundJob = () => registry().find((r) => r.node.startsWith('round1-')) as { node: string; job: string };
      const roundKey = roundJob().node;
      const roundDir = path.join(out, 'stages', roundKey);
      const checkpoints = () => (fs.existsSync(roundDir) ? fs.readdirSync(roundDir).filter((f) => /^round-1-step\d+\.safetensors$/.test(f)) : []);
      await until('the round-1 job writes its first checkpoint', () => checkpoints().length > 0, 150_000);
      expect(checkpoints().some((f) => f.endsWith('0000080.safetensors'))).toBe(false);
      const firstRoundJob = roundJob().job;
      expect(squeueState(firstRoundJob)).toBe('RUNNING');
      execFileSync('scancel', [firstRoundJob]);
      await until('the cancelled job ends', () => !['RUNNING', 'COMPLETING'].includes(squeueState(firstRoundJob)), 60_000);
      expect(squeueState(firstRoundJob)).toBe('CANCELLED');

      // 3. --status shows it, and the failed job of the broken ablation with its log.
      const status = cli([file, '--out', out, '--executor', 'slurm', '--status']);
      expect(status.stdout).toMatch(new RegExp(`\\| ${roundKey} \\| round-1 of SPNet\\+ST seed 0 \\| SPNet\\+ST seed 0 \\| failed \\(CANCELLED.*checkpoint at step \\d+/80\\) \\| ${firstRoundJob} \\|`));
      const brokenFolder = path.join(out, 'broken');
      const brokenSpnet = readRegistry(brokenFolder).find((r) => r.node.startsWith('spnet-'))?.job as string;
      await until('the diverging job fails', () => ['FAILED'].includes(squeueState(brokenSpnet)), 120_000);
      const brokenStatus = cli([broken, '--out', out, '--executor', 'slurm', '--status']);
      expect(brokenStatus.stdout).toMatch(
        new RegExp(`failed:\\n  spnet of Diverges seed 0 \\(spnet-\\w+\\) Slurm job ${brokenSpnet}: FAILED, (NonZeroExitCode, )?exit 1:0\\n    log: ${brokenFolder}/logs/spnet-\\w+\\.log\\n(    \\| .*\\n)*    \\| zls-ablation: stage spnet: loss grew from .* more than divergenceFactor 1000×`),
      );
      expect(brokenStatus.stdout).toMatch(/run Diverges\+ST seed 0 \(run\.Diverges\+ST-seed0-\w+\): not run \(Slurm job \d+: CANCELLED.*\), it needs round1-\w+/);

      // 4. The same command again, waiting: only the cancelled job and what needs it are submitted; it resumes.
      const rerun = cli([file, '--out', out, '--executor', 'slurm', '--wait', '--poll', '1']);
      expect(rerun.stderr).not.toMatch(/zls-ablation:/);
      expect(rerun.code).toBe(0);
      expect(rerun.stdout).toMatch(/resubmitting what failed/);
      expect(rerun.stdout).toMatch(/tiny: submitted 3 job\(s\), [01] still queued or running, [12] of 4 node\(s\) done/);
      const roundLog = fs.readFileSync(path.join(folder, 'logs', `${roundKey}.log`), 'utf8');
      expect(roundLog).toMatch(/SIGTERM: saving a checkpoint after the current step/);
      expect(roundLog).toMatch(/round-1: resumed from the step-\d+ checkpoint/);

      // 5. The table is the local one.
      const localDone = await localRun;
      expect(localDone.code).toBe(0);
      const local = JSON.parse(fs.readFileSync(path.join(dir(), 'local-runs', 'tiny', 'results.json'), 'utf8')) as { table: unknown };
      const localMarkdown = fs.readFileSync(path.join(dir(), 'local-runs', 'tiny', 'results.md'), 'utf8');
      const tables = (md: string) => md.split('\n').filter((l) => l.startsWith('|')).join('\n');
      expect(tables(rerun.stdout)).toBe(tables(localDone.stdout));
      expect(tables(rerun.stdout)).toBe(tables(localMarkdown));
      expect(JSON.parse(fs.readFileSync(path.join(folder, 'results.json'), 'utf8')).table).toEqual(local.table);

      // 6. Accounting: the shared SPNet ran as one job; the student as the cancelled one and its resumption.
      const jobs = accountedJobs(out);
      const spnetKey = registry().find((r) => r.node.startsWith('spnet-'))?.node as string;
      expect(jobs.filter((j) => j.name === jobName(rootTagOf(out), spnetKey)).map((j) => j.state)).toEqual(['COMPLETED']);
      expect(jobs.filter((j) => j.name === jobName(rootTagOf(out), roundKey)).map((j) => j.state)).toEqual(['CANCELLED', 'COMPLETED']);

      // 7. Everything done: the same command only collects the table again.
      const again = cli([file, '--out', out, '--executor', 'slurm']);
      expect(again.stdout).toMatch(/every stage and run is done; collecting the table/);
      expect(tables(again.stdout)).toBe(tables(localDone.stdout));
    } finally {
      await localRun;
    }
  }, 300_000);
});
