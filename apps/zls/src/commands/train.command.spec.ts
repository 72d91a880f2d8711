import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JsonlLog } from '@zls/engine';
import { TINY_SYNTHETIC_OVERRIDES, useTempDir } from '@zls/testing';

const root = path.resolve(__dirname, '../../../..');
const bin = path.join(root, 'apps/zls/bin/zls.cjs');
const strict = path.join(root, 'experiments/strict/strict_synthetic-net_1000+400_synthetic-64.yaml');
const overrides = [...TINY_SYNTHETIC_OVERRIDES, 'train.iterations=60', 'train.checkpointEvery=10', 'selfTraining.train.iterations=6', 'selfTraining.pseudoLabel.scales=[1.5]'];
const args = (out: string) => ['train', strict, '--out', out, '--no-progress', ...overrides.flatMap((o) => ['--set', o])];

function readResults(out: string): { headline: unknown; stages: { name: string; headline: unknown; dir: string }[]; pseudoLabelQuality: unknown } {
  const run = fs.readdirSync(out).find((d) => d.startsWith('strict_'));
  return JSON.parse(fs.readFileSync(path.join(out, run as string, 'results.json'), 'utf8'));
}

/** Resolves once `condition` holds (polled every 10 ms), or rejects after `ms`. */
async function until(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const appears = (file: string, ms: number) => until(() => fs.existsSync(file), ms);

describe('zls train killed with SIGKILL', () => {
  const dir = useTempDir('zls-kill-');

  it('resumes from the last checkpoint on rerun and ends with the metrics of an uninterrupted run', async () => {
    const reference = path.join(dir(), 'reference');
    const whole = spawnSync(process.execPath, [bin, ...args(reference)], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(whole.stderr).toBe('');
    expect(whole.status).toBe(0);

    // Kill the second run the moment its supervised stage has written the step-10 checkpoint.
    const killed = path.join(dir(), 'killed');
    const child = spawn(process.execPath, [bin, ...args(killed)], { cwd: root, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const stageDir = () => path.join(killed, 'stages', fs.readdirSync(path.join(killed, 'stages')).find((d) => d.startsWith('spnet-')) ?? '');
    await appears(path.join(killed, 'stages'), 60_000);
    await until(() => fs.existsSync(path.join(stageDir(), 'spnet-step0000010.safetensors')), 60_000);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(fs.readdirSync(killed).some((d) => d.startsWith('strict_') && fs.existsSync(path.join(killed, d, 'results.json')))).toBe(false);

    const rerun = spawnSync(process.execPath, [bin, ...args(killed)], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(rerun.stderr).toBe('');
    expect(rerun.status).toBe(0);

    const a = readResults(reference);
    const b = readResults(killed);
    expect(b.stages.map((s) => s.headline)).toEqual(a.stages.map((s) => s.headline));
    expect(b.pseudoLabelQuality).toEqual(a.pseudoLabelQuality);
    // It resumed rather than restarted: it says so, and its log never goes back to step 1.
    expect(rerun.stdout).toContain('spnet: resumed from the step-10 checkpoint');
    const steps = JsonlLog.read(path.join(stageDir(), 'train.jsonl')).map((r) => r['step'] as number);
    expect(steps.filter((s) => s === 1)).toHaveLength(1);
    expect(new Set(steps).size).toBe(60);
  }, 240_000);

  it('saves a checkpoint at the current step when interrupted with SIGINT, and says how to resume', async () => {
    const out = path.join(dir(), 'interrupted');
    const child = spawn(process.execPath, [bin, ...args(out)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await appears(path.join(out, 'stages'), 60_000);
    const stageDir = () => path.join(out, 'stages', fs.readdirSync(path.join(out, 'stages')).find((d) => d.startsWith('spnet-')) ?? '');
    await until(() => fs.existsSync(path.join(stageDir(), 'spnet-step0000010.safetensors')), 60_000);
    child.kill('SIGINT');
    expect(await exited).not.toBe(0);
    const step = Number(/interrupted at step (\d+) of 60; checkpoint saved, run again to resume/.exec(stderr)?.[1]);
    expect(step).toBeGreaterThanOrEqual(10);
    expect(step).toBeLessThan(60);
    expect(fs.existsSync(path.join(stageDir(), `spnet-step${String(step).padStart(7, '0')}.safetensors`))).toBe(true);
  }, 120_000);
});
