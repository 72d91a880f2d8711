import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { useTempDir } from '@zls/testing';
import { acquireStageLock, livenessOf, ownerOfThisProcess, readLockOwner, STAGE_LOCK_FILE, StageLocks, type LockOwner } from './stage-lock';

/** A pid that no process has any more: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

function writeLock(stageDir: string, owner: Partial<LockOwner>): void {
  fs.mkdirSync(stageDir, { recursive: true });
  fs.writeFileSync(path.join(stageDir, STAGE_LOCK_FILE), JSON.stringify({ host: os.hostname(), pid: 1, since: '2026-01-01T00:00:00Z', token: 'other', ...owner }));
}

describe('stage locks', () => {
  const dir = useTempDir('zls-lock-');
  const stage = () => path.join(dir(), 'stages', 'spnet-abc');

  it('writes its owner into the lock file and removes it on release', async () => {
    const lock = await acquireStageLock(stage());
    const owner = readLockOwner(path.join(stage(), STAGE_LOCK_FILE));
    expect(owner).toMatchObject({ host: os.hostname(), pid: process.pid, token: lock.owner.token });
    lock.release();
    expect(fs.existsSync(path.join(stage(), STAGE_LOCK_FILE))).toBe(false);
    expect(fs.readdirSync(stage())).toEqual([]); // no temporary file left behind
  });

  it('refuses a second writer while the owner lives, naming it', async () => {
    const first = await acquireStageLock(stage());
    await expect(acquireStageLock(stage(), { wait: false })).rejects.toThrow(
      new RegExp(`stage spnet-abc is being written by pid ${process.pid} on ${os.hostname()}, since .*; not starting a second writer`),
    );
    first.release();
    (await acquireStageLock(stage(), { wait: false })).release();
  });

  it('makes a second writer wait until the first releases, and says for whom it waits', async () => {
    const first = await acquireStageLock(stage());
    const lines: string[] = [];
    let acquired = false;
    const second = acquireStageLock(stage(), { pollMs: 10, print: (l) => lines.push(l) }).then((l) => {
      acquired = true;
      return l;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(acquired).toBe(false);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^stage spnet-abc: being written by pid ${process.pid} on .*; waiting for it to finish$`))]);
    first.release();
    const lock = await second;
    expect(lines[1]).toMatch(/lock released by pid \d+ on .*; continuing/);
    expect(readLockOwner(lock.file)?.token).toBe(lock.owner.token);
    lock.release();
  });

  it('takes over a lock whose owner process is gone, with a message', async () => {
    const pid = deadPid();
    writeLock(stage(), { pid });
    expect(livenessOf(readLockOwner(path.join(stage(), STAGE_LOCK_FILE)) as LockOwner)).toBe('dead');
    const lines: string[] = [];
    const lock = await acquireStageLock(stage(), { wait: false, print: (l) => lines.push(l) });
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^stage spnet-abc: taking over the lock of pid ${pid} on ${os.hostname()}.*: that process is gone`))]);
    expect(readLockOwner(lock.file)?.pid).toBe(process.pid);
    lock.release();
  });

  it('tells a reused pid from its owner by the process start time, and a lock from before a reboot', () => {
    const me = ownerOfThisProcess();
    const base = { ...me, since: '', token: 't' } as LockOwner;
    expect(livenessOf(base)).toBe('alive');
    if (me.pidStart) expect(livenessOf({ ...base, pidStart: String(Number(me.pidStart) + 1) })).toBe('dead');
    if (me.bootId) expect(livenessOf({ ...base, bootId: 'another-boot' })).toBe('dead');
  });

  it('asks Slurm about an owner on another host, and refuses when it cannot tell', async () => {
    writeLock(stage(), { host: 'node17', pid: 4242, slurmJobId: '991' });
    const asked: LockOwner[] = [];
    await expect(
      acquireStageLock(stage(), { wait: false, liveness: (o) => (asked.push(o), 'alive') }),
    ).rejects.toThrow(/being written by pid 4242 on node17 \(Slurm job 991\)/);
    expect(asked[0]).toMatchObject({ host: 'node17', slurmJobId: '991' });
    await expect(acquireStageLock(stage(), { wait: false, liveness: () => 'unknown' })).rejects.toThrow(/cannot check from .* whether it still runs; if it does not, remove .*writer\.lock/);
    const lines: string[] = [];
    const lock = await acquireStageLock(stage(), { wait: false, liveness: () => 'dead', print: (l) => lines.push(l) });
    expect(lines[0]).toMatch(/taking over the lock of pid 4242 on node17 \(Slurm job 991\)/);
    lock.release();
  });

  it('treats the lock of an earlier incarnation of its own (requeued) Slurm job as stale', () => {
    const saved = process.env['SLURM_JOB_ID'];
    process.env['SLURM_JOB_ID'] = '555';
    try {
      expect(livenessOf({ host: 'elsewhere', pid: 1, slurmJobId: '555', since: '', token: 't' })).toBe('dead');
    } finally {
      if (saved === undefined) delete process.env['SLURM_JOB_ID'];
      else process.env['SLURM_JOB_ID'] = saved;
    }
  });

  it('never removes a lock that another process took over in the meantime', async () => {
    const lock = await acquireStageLock(stage());
    writeLock(stage(), { pid: process.pid, token: 'someone-else' });
    lock.release();
    expect(readLockOwner(path.join(stage(), STAGE_LOCK_FILE))?.token).toBe('someone-else');
  });

  it('StageLocks releases whatever a run still holds', async () => {
    const locks = new StageLocks();
    await locks.acquire(stage());
    await locks.acquire(path.join(dir(), 'stages', 'round1-def'));
    locks.releaseAll();
    expect(fs.existsSync(path.join(stage(), STAGE_LOCK_FILE))).toBe(false);
    expect(fs.existsSync(path.join(dir(), 'stages', 'round1-def', STAGE_LOCK_FILE))).toBe(false);
  });

  it('a waiting writer stops when its signal aborts', async () => {
    const first = await acquireStageLock(stage());
    const controller = new AbortController();
    const second = acquireStageLock(stage(), { pollMs: 10_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(second).rejects.toThrow(/interrupted while waiting for the lock/);
    first.release();
  });
});
