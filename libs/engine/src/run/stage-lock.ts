import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ZlsError } from '@zls/core';

/** The lock file inside a stage folder while a process writes that stage. */
export const STAGE_LOCK_FILE = 'writer.lock';

/** Who holds a stage lock: written into the lock file as JSON. */
export interface LockOwner {
  host: string;
  pid: number;
  /** The Slurm job the process runs in (SLURM_JOB_ID), when it runs in one. */
  slurmJobId?: string;
  /** Linux boot id and the process's start time (clock ticks since boot): a reused pid is not mistaken for the owner. */
  bootId?: string;
  pidStart?: string;
  /** The command line, for the messages. */
  command?: string;
  since: string;
  /** Unique per acquisition: a release never removes someone else's lock. */
  token: string;
}

/** `alive`: the owner still runs; `dead`: it is gone (the lock may be taken over); `unknown`: cannot tell from here. */
export type OwnerLiveness = 'alive' | 'dead' | 'unknown';

export interface StageLockOptions {
  /** true (default): wait until the owner releases the lock; false: refuse at once, naming the owner. */
  wait?: boolean;
  /** How often a waiting process looks again (ms, default 1000). */
  pollMs?: number;
  print?: (line: string) => void;
  /** Aborting it stops a wait. */
  signal?: AbortSignal;
  /** Whether a lock's owner still runs (default: livenessOf). */
  liveness?: (owner: LockOwner) => OwnerLiveness;
  /** The owner this process writes (default: ownerOfThisProcess()); tests use it to play a second process. */
  owner?: Omit<LockOwner, 'token' | 'since'>;
}

function readProc(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/PID/stat (start time in clock ticks since boot); undefined off Linux. */
function processStart(pid: number): string | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // The command name (field 2) is in parentheses and may contain spaces: count fields after its last ")".
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return rest[19];
}

/** This process as a lock owner: host, pid, Slurm job id, and what tells a reused pid apart. */
export function ownerOfThisProcess(): Omit<LockOwner, 'token' | 'since'> {
  const slurmJobId = process.env['SLURM_JOB_ID'];
  const bootId = readProc('/proc/sys/kernel/random/boot_id')?.trim();
  const pidStart = processStart(process.pid);
  return {
    host: os.hostname(),
    pid: process.pid,
    ...(slurmJobId ? { slurmJobId } : {}),
    ...(bootId ? { bootId } : {}),
    ...(pidStart ? { pidStart } : {}),
    command: process.argv.slice(1).map((a) => path.basename(a)).join(' ').slice(0, 200),
  };
}

/** Slurm job states in which a job's processes may still run. */
const ACTIVE_SLURM_STATES = new Set(['PENDING', 'RUNNING', 'SUSPENDED', 'COMPLETING', 'CONFIGURING', 'RESIZING', 'SIGNALING', 'STAGE_OUT', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'STOPPED']);

/** A Slurm job's state from `squeue -j` ('' when it left the queue), or undefined when squeue cannot answer. */
function squeueState(jobId: string): string | undefined {
  try {
    return execFileSync('squeue', ['-h', '-j', jobId, '-o', '%T'], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    // A job that left slurmctld's memory: squeue says "Invalid job id specified" and exits 1.
    const stderr = String((e as { stderr?: unknown }).stderr ?? '');
    return /invalid job id/i.test(stderr) ? '' : undefined;
  }
}

/**
 * Whether a lock's owner still runs. On the same host: its pid (and, where Linux says, the same boot and
 * process start time). On another host: its Slurm job's state from `squeue -j`; without a job id, unknown.
 */
export function livenessOf(owner: LockOwner): OwnerLiveness {
  // A requeued Slurm job (preemption, node failure) keeps its id: a lock of its earlier incarnation is stale.
  const ownJob = process.env['SLURM_JOB_ID'];
  if (owner.slurmJobId && owner.slurmJobId === ownJob && !(owner.host === os.hostname() && owner.pid === process.pid)) return 'dead';
  if (owner.host === os.hostname()) {
    const bootId = readProc('/proc/sys/kernel/random/boot_id')?.trim();
    if (owner.bootId && bootId && owner.bootId !== bootId) return 'dead';
    try {
      process.kill(owner.pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') return 'dead';
    }
    const start = processStart(owner.pid);
    if (owner.pidStart && start && owner.pidStart !== start) return 'dead';
    return 'alive';
  }
  if (owner.slurmJobId) {
    const state = squeueState(owner.slurmJobId);
    if (state === undefined) return 'unknown';
    return state.split('\n').some((s) => ACTIVE_SLURM_STATES.has(s.trim())) ? 'alive' : 'dead';
  }
  return 'unknown';
}

/** "pid 123 on vm (Slurm job 45), since 2026-12-02T10:00:00Z". */
export function describeOwner(owner: LockOwner): string {
  return `pid ${owner.pid} on ${owner.host}${owner.slurmJobId ? ` (Slurm job ${owner.slurmJobId})` : ''}, since ${owner.since}`;
}

/** The owner recorded in a lock file; undefined when there is none, null when it cannot be read as one. */
export function readLockOwner(file: string): LockOwner | undefined | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const o = JSON.parse(text) as LockOwner;
    return typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.token === 'string' ? o : null;
  } catch {
    return null;
  }
}

/** Locks this process holds, removed on exit however the process ends short of SIGKILL. */
const held = new Map<string, string>();
let exitHook = false;
function releaseAllOnExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const [file, token] of held) removeIfOurs(file, token);
  });
}

function removeIfOurs(file: string, token: string): void {
  try {
    if (readLockOwner(file)?.token === token) fs.rmSync(file, { force: true });
  } catch {
    // Best effort: a lock left behind is taken over once its owner is gone.
  }
}

/** Creates `file` holding `content` if no file of that name exists: atomic, NFS included (link(2)). */
function createExclusive(file: string, content: string, token: string): boolean {
  const tmp = `${file}.${token}.tmp`;
  fs.writeFileSync(tmp, content);
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
    // A filesystem without hard links: O_EXCL instead (a reader may then see the file empty for a moment).
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx');
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e2;
    }
    fs.writeSync(fd, content);
    fs.closeSync(fd);
    return true;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Removes a stale lock whose owner was judged gone. Moved aside first and checked: if another process took the
 * lock over in between (the file holds a new token), the move is undone.
 */
function removeStale(file: string, stale: LockOwner, token: string): boolean {
  const aside = `${file}.stale-${token}`;
  try {
    fs.renameSync(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw e;
  }
  const moved = readLockOwner(aside);
  if (moved && moved.token !== stale.token) {
    // Someone took the lock between our read and the move: give it back.
    try {
      fs.linkSync(aside, file);
    } catch {
      // A third process got in first; it holds the lock now.
    }
    fs.rmSync(aside, { force: true });
    return false;
  }
  fs.rmSync(aside, { force: true });
  return true;
}

/** A lock file that cannot be read as an owner (being written by a filesystem without link) is given this long. */
const UNREADABLE_GRACE_MS = 30_000;

/** A held stage lock. */
export class StageLock {
  private released = false;

  constructor(
    readonly file: string,
    readonly owner: LockOwner,
  ) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this.file);
    removeIfOurs(this.file, this.owner.token);
  }
}

/**
 * Takes the writer lock of a stage folder, so that two processes never write one stage: the lock file names
 * its owner (host, pid, Slurm job id). Held by a live owner: waits until it is released (printing whom it waits
 * for, once) or, with `wait: false`, refuses naming the owner. Held by an owner that is gone (a killed process,
 * an ended Slurm job): taken over, with a message.
 */
export async function acquireStageLock(stageDir: string, options: StageLockOptions = {}): Promise<StageLock> {
  const print = options.print ?? (() => undefined);
  const liveness = options.liveness ?? livenessOf;
  const stage = path.basename(stageDir);
  const file = path.join(stageDir, STAGE_LOCK_FILE);
  fs.mkdirSync(stageDir, { recursive: true });
  const token = randomUUID();
  const owner: LockOwner = { ...(options.owner ?? ownerOfThisProcess()), since: new Date().toISOString(), token };
  const content = JSON.stringify(owner, null, 2) + '\n';
  let waitingFor: string | undefined;
  for (;;) {
    if (createExclusive(file, content, token)) {
      releaseAllOnExit();
      held.set(file, token);
      if (waitingFor) print(`stage ${stage}: lock released by ${waitingFor}; continuing`);
      return new StageLock(file, owner);
    }
    const current = readLockOwner(file);
    if (current === undefined) continue; // released between our attempt and the read
    if (current === null) {
      let age = 0;
      try {
        age = Date.now() - fs.statSync(file).mtimeMs;
      } catch {
        continue;
      }
      if (age > UNREADABLE_GRACE_MS) {
        print(`stage ${stage}: taking over the lock ${file}: it names no owner and is ${Math.round(age / 1000)} s old`);
        fs.rmSync(file, { force: true });
        continue;
      }
    } else {
      const state = liveness(current);
      if (state === 'dead') {
        if (removeStale(file, current, token)) print(`stage ${stage}: taking over the lock of ${describeOwner(current)}: that process is gone (its work so far is kept; the stage resumes from its last checkpoint)`);
        continue;
      }
      const who = describeOwner(current);
      const unknown = state === 'unknown' ? ` (cannot check from ${os.hostname()} whether it still runs; if it does not, remove ${file})` : '';
      if (options.wait === false) {
        throw new ZlsError(`stage ${stage} is being written by ${who}${unknown}; not starting a second writer (wait for it, or stop it)`);
      }
      if (waitingFor !== who) {
        print(`stage ${stage}: being written by ${who}${unknown}; waiting for it to finish`);
        waitingFor = who;
      }
    }
    if (options.signal?.aborted) throw new ZlsError(`stage ${stage}: interrupted while waiting for the lock ${file}`);
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, options.pollMs ?? 1000);
      options.signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/** The locks of one run: at most one stage at a time; whatever is still held is released when the run ends. */
export class StageLocks {
  private readonly locks = new Map<string, StageLock>();

  constructor(private readonly options: StageLockOptions = {}) {}

  async acquire(stageDir: string): Promise<void> {
    if (this.locks.has(stageDir)) return;
    this.locks.set(stageDir, await acquireStageLock(stageDir, this.options));
  }

  release(stageDir: string): void {
    this.locks.get(stageDir)?.release();
    this.locks.delete(stageDir);
  }

  releaseAll(): void {
    for (const lock of this.locks.values()) lock.release();
    this.locks.clear();
  }
}
