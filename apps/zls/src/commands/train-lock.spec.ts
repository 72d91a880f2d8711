import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { baseStageKey } from '@zls/engine';
import { createRegistries, loadExperiment } from '@zls/runtime';
import { TINY_SYNTHETIC_OVERRIDES, useTempDir } from '@zls/testing';

const root = path.resolve(__dirname, '../../../..');
const bin = path.join(root, 'apps/zls/bin/zls.cjs');
const spnet = path.join(root, 'experiments/spnet/spnet_synthetic-net_1000_synthetic-64.yaml');
const overrides = [...TINY_SYNTHETIC_OVERRIDES, 'train.iterations=40'];

function train(out: string, extra: string[] = []): { pid: number; stdout: () => string; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [bin, 'train', spnet, '--out', out, '--no-progress', ...overrides.flatMap((o) => ['--set', o]), ...extra], { cwd: root });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  return { pid: child.pid as number, stdout: () => stdout, done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))) };
}

async function until(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function stageDirOf(out: string): string {
  const stages = path.join(out, 'stages');
  const d = fs.existsSync(stages) ? fs.readdirSync(stages).find((s) => s.startsWith('spnet-')) : undefined;
  return d ? path.join(stages, d) : '';
}

describe('two zls train runs of one config at once', () => {
  const dir = useTempDir('zls-train-lock-');

  it('never write one stage: one trains it, the other waits for it (naming it) and reuses it', async () => {
    const out = path.join(dir(), 'runs');
    const first = train(out);
    const second = train(out);
    const [a, b] = await Promise.all([first.done, second.done]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const reused = [a, b].map((r) => /spnet: .*\(stage reused\)/.test(r.stdout));
    expect(reused.filter(Boolean)).toHaveLength(1);
    const [trainer, waiter] = reused[0] ? [second, first] : [first, second];
    const waited = (reused[0] ? a : b).stdout;
    // Started together, the second finds the lock taken (unless the first finished before it even looked).
    if (waited.includes('waiting for it to finish')) expect(waited).toMatch(new RegExp(`being written by pid ${trainer.pid} on `));
    expect(waiter.pid).not.toBe(trainer.pid);
    // Each step of the stage was trained and logged once.
    const steps = fs.readFileSync(path.join(stageDirOf(out), 'train.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step as number);
    expect(steps).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(fs.existsSync(path.join(stageDirOf(out), 'writer.lock'))).toBe(false);
  }, 240_000);

  it('a stage held by a live process: --no-wait-for-stages refuses naming it, a plain run waits until it is released', async () => {
    const out = path.join(dir(), 'runs');
    const { config } = await loadExperiment(spnet, overrides, createRegistries());
    const stage = path.join(out, 'stages', baseStageKey(config));
    fs.mkdirSync(stage, { recursive: true });
    // This jest worker plays the writer: alive, on this host.
    const lockFile = path.join(stage, 'writer.lock');
    fs.writeFileSync(lockFile, JSON.stringify({ host: os.hostname(), pid: process.pid, since: '2026-12-01T00:00:00Z', token: 'held-by-the-test' }));
    const refused = await train(out, ['--no-wait-for-stages']).done;
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(new RegExp(`stage ${path.basename(stage)} is being written by pid ${process.pid} on ${os.hostname()}, since 2026-12-01T00:00:00Z; not starting a second writer`));
    const waiting = train(out);
    await until(() => waiting.stdout().includes('waiting for it to finish'), 90_000);
    expect(waiting.stdout()).toMatch(new RegExp(`stage ${path.basename(stage)}: being written by pid ${process.pid} on .*; waiting for it to finish`));
    await new Promise((r) => setTimeout(r, 1500));
    expect(fs.readdirSync(stage)).toEqual(['writer.lock']); // it has not written the stage
    fs.rmSync(lockFile);
    const r = await waiting.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/lock released by .*; continuing/);
    expect(fs.existsSync(path.join(stage, 'spnet-step0000040.safetensors'))).toBe(true);
  }, 240_000);
});
