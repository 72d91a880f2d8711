import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { writeLabelPng } from '@zls/data';
import { runCli } from '../cli';

/** A VOC2012 folder: ids → label values (undefined: no label file), listed in train_aug.txt or val.txt. */
async function voc(dir: string, splits: Record<'train_aug' | 'val', Record<string, number[] | undefined>>): Promise<string> {
  const root = path.join(dir, 'VOC2012');
  for (const sub of ['JPEGImages', 'SegmentationClassAug', 'ImageSets/Segmentation']) fs.mkdirSync(path.join(root, sub), { recursive: true });
  for (const [split, ids] of Object.entries(splits)) {
    fs.writeFileSync(path.join(root, 'ImageSets', 'Segmentation', `${split}.txt`), Object.keys(ids).join('\n') + '\n');
    for (const [id, values] of Object.entries(ids)) {
      await sharp({ create: { width: 5, height: 4, channels: 3, background: { r: 10, g: 200, b: 30 } } }).jpeg().toFile(path.join(root, 'JPEGImages', `${id}.jpg`));
      if (values) writeLabelPng(path.join(root, 'SegmentationClassAug', `${id}.png`), { width: 5, height: 4, data: new Uint8Array(20).map((_, i) => values[i % values.length]) });
    }
  }
  return root;
}

async function zls(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += c.toString()), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += c.toString()), true));
  try {
    const code = await runCli(['node', 'zls', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = 0;
  }
}

describe('zls data check', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zls-data-check-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const expect32 = ['--expect', 'train_aug=3', '--expect', 'val=2'];

  it('exits 0 on a folder that matches (expected counts overridden), with a one-line summary', async () => {
    const root = await voc(dir, { train_aug: { a1: [0, 1], a2: [20, 255], a3: [3] }, val: { v1: [0], v2: [255] } });
    const run = await zls('data', 'check', root, '--dataset', 'voc12', ...expect32);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ {2}train_aug: 3 in the split \(list .*train_aug\.txt\), 3 expected, 3 with image and label; 3 decoded\n {4}ok\n/m);
    expect(run.stdout.trimEnd().split('\n').pop()).toMatch(/^voc12 at .*VOC2012: matches the protocol \(train_aug 3\/3, val 2\/2 images; 5 samples decoded\)$/);
  });

  it('exits 1 on a missing label and an out-of-range value, and --json has the details', async () => {
    const root = await voc(dir, { train_aug: { a1: [0, 1], a2: undefined, a3: [3] }, val: { v1: [0, 42], v2: [255] } });
    const run = await zls('data', 'check', root, '--dataset', 'voc12', ...expect32);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('    1 labels missing (a2)\n');
    expect(run.stdout).toContain('    1 label files with values outside 0..20 and 255 (v1: 42)\n');
    expect(run.stdout.trimEnd().split('\n').pop()).toMatch(/does not match the protocol: train_aug: 1 labels missing; val: 1 label files with values outside 0\.\.20 and 255$/);
    const json = await zls('data', 'check', root, '--dataset', 'voc12', ...expect32, '--json');
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.ok).toBe(false);
    expect(report.splits[0].missingLabels).toEqual({ count: 1, first: ['a2'] });
    expect(report.splits[1].outOfRange.first[0]).toMatchObject({ id: 'v1', values: [42] });
  });

  it('exits 1 with the protocol counts, and says what is wrong (no stack) for a missing or foreign folder', async () => {
    const root = await voc(dir, { train_aug: { a1: [0] }, val: { v1: [0] } });
    const counts = await zls('data', 'check', root, '--dataset', 'voc12', '--sample', '0');
    expect(counts.code).toBe(1);
    expect(counts.stdout).toContain('train_aug: 1 images in the split, expected 10582');
    const missing = await zls('data', 'check', path.join(dir, 'absent'), '--dataset', 'cocostuff');
    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: `zls: ${path.join(dir, 'absent')}: no such folder\n` });
    const foreign = await zls('data', 'check', root, '--dataset', 'cocostuff');
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toMatch(/^zls: .*VOC2012: not a COCO-Stuff-164k folder: expected images\/\{train2017,val2017\}.*\n$/);
    const bad = await zls('data', 'check', root, '--dataset', 'voc12', '--expect', 'val');
    expect(bad.stderr).toBe('zls: --expect val: expected SPLIT=COUNT, e.g. --expect val=1449\n');
  });
});
