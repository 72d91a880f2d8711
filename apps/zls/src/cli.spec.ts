import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Registries, loadPlugins } from '@zls/core';
import { formatRegistries } from './commands/list.command';
import { createRegistries } from '@zls/runtime';

const root = path.resolve(__dirname, '../../..');
const bin = path.join(root, 'apps/zls/bin/zls.cjs');

/** Runs the CLI the way a user does: a node process on the bin script. */
function zls(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('zls list', () => {
  it('shows a component that a plugin package from plugins/ registers, with its options and defaults', async () => {
    const registries = createRegistries();
    expect(registries.backbone.has('tiny-conv')).toBe(false);
    await loadPlugins(['@zls/plugin-example-backbone'], registries, root);
    const text = formatRegistries(registries);
    expect(text).toMatch(/backbone:\n(.*\n)*? {2}tiny-conv \[@zls\/plugin-example-backbone\] — example plugin backbone/);
    expect(text).toMatch(/ {6}outputStride: 4\n/);
    expect(text).toMatch(/ {6}width: 16\n/);
  });

  it('says so when a kind has nothing registered', () => {
    expect(formatRegistries(new Registries())).toMatch(/head:\n {2}\(none registered\)/);
  });

  it('runs from the bin script', () => {
    const run = zls('list', '--plugin', '@zls/plugin-example-backbone');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/tiny-conv \[@zls\/plugin-example-backbone\]/);
  });
});

describe('zls --help', () => {
  it('lists the commands', () => {
    const run = zls('--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Commands:[\s\S]*list[\s\S]*config/);
  });

  it('exits non-zero on an unknown command', () => {
    const run = zls('frobnicate');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});
