import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from './atomic-write';
import { canonicalJson, configHash } from './config/config-hash';

// writeFileSync is wrapped (still the real one) so that a test can make one system call fail on cue.
jest.mock('node:fs', () => {
  const actual = jest.requireActual<typeof import('node:fs')>('node:fs');
  return { ...actual, writeFileSync: jest.fn(actual.writeFileSync) };
});

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zls-atomic-'))));
  afterEach(() => {
    fs.chmodSync(dir, 0o700);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes new content and leaves no temporary file', () => {
    const file = path.join(dir, 'sub', 'a.json');
    writeFileAtomic(file, 'one');
    writeFileAtomic(file, 'two');
    expect(fs.readFileSync(file, 'utf8')).toBe('two');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['a.json']);
  });

  it('keeps the old file intact and names the file when the write fails', () => {
    const file = path.join(dir, 'a.json');
    writeFileAtomic(file, 'old');
    // A directory in the way of the rename makes the final step fail after the data was written.
    const blocked = path.join(dir, 'blocked');
    fs.mkdirSync(path.join(blocked, 'x'), { recursive: true });
    expect(() => writeFileAtomic(blocked, 'new')).toThrow(/cannot write .*blocked/);
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('writeFileAtomic on a full disk or a refused write', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zls-atomic-'))));
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // Root (CI) ignores permission bits and a real full disk cannot be made here, so the system call fails on cue.
  it.each([
    ['ENOSPC', /cannot write .*results\.json: disk full/],
    ['EACCES', /cannot write .*results\.json: permission denied/],
  ])('%s: says so, names the file, keeps the earlier content and no temporary file', (code, message) => {
    const file = path.join(dir, 'results.json');
    writeFileAtomic(file, 'earlier');
    jest.mocked(fs.writeFileSync).mockImplementationOnce(() => {
      throw Object.assign(new Error(`${code}: simulated`), { code });
    });
    expect(() => writeFileAtomic(file, 'later')).toThrow(message);
    expect(fs.readFileSync(file, 'utf8')).toBe('earlier');
    expect(fs.readdirSync(dir)).toEqual(['results.json']);
  });
});

describe('configHash', () => {
  it('ignores key order and changes with any value', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 0 }] } })).toBe('{"a":{"c":[3,{"e":0,"f":1}],"d":2},"b":1}');
    expect(configHash({ a: 1, b: 2 })).toBe(configHash({ b: 2, a: 1 }));
    expect(configHash({ a: 1, b: 2 })).not.toBe(configHash({ a: 1, b: 3 }));
    expect(configHash({ a: 1 })).toMatch(/^[0-9a-f]{12}$/);
  });
});
