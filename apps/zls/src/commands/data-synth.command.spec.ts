import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { decode } from 'fast-png';
import { SyntheticDataset, syntheticOptions } from '@zls/data';
import { dataSynthCommand } from './data-synth.command';

describe('zls data synth', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zls-synth-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const quiet = () => [jest.spyOn(process.stdout, 'write').mockReturnValue(true), jest.spyOn(process.stderr, 'write').mockReturnValue(true)];

  it('writes the VOC layout with the exact generated pixels and labels', async () => {
    const spies = quiet();
    try {
      await dataSynthCommand().parseAsync(['--out', dir, '--seed', '2', '--size', '32', '--n-train', '3', '--n-val', '2', '--n-test', '2', '--background', 'class'], { from: 'user' });
    } finally {
      spies.forEach((s) => s.mockRestore());
    }
    const lists = ['train', 'val', 'test'].map((s) => fs.readFileSync(path.join(dir, 'ImageSets', 'Segmentation', `${s}.txt`), 'utf8').trim().split('\n'));
    expect(lists).toEqual([['train_00000', 'train_00001', 'train_00002'], ['val_00000', 'val_00001'], ['test_00000', 'test_00001']]);

    const ds = new SyntheticDataset(syntheticOptions({ seed: 2, size: 32, nTrain: 3, split: 'train' }));
    const raw = ds.raw(1);
    const { data, info } = await sharp(path.join(dir, 'JPEGImages', 'train_00001.png')).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([32, 32, 3]);
    expect(Buffer.compare(data, Buffer.from(raw.image))).toBe(0);
    const label = decode(fs.readFileSync(path.join(dir, 'SegmentationClass', 'train_00001.png')));
    expect([label.channels, label.depth, label.palette !== undefined]).toEqual([1, 8, true]);
    // Background is stored as label id 20 in both modes; objects keep their ids.
    expect(Array.from(label.data)).toEqual(Array.from(raw.label, (v) => (v === 255 ? 20 : v)));

    const classes = JSON.parse(fs.readFileSync(path.join(dir, 'classes.json'), 'utf8'));
    expect(classes.classes).toHaveLength(21);
    expect(classes.classes[0]).toEqual({ labelId: 0, name: 'red circle', role: 'unseen' });
    expect(classes.classes[20]).toEqual({ labelId: 20, name: 'background', role: 'seen' });
    const emb = JSON.parse(fs.readFileSync(path.join(dir, 'embeddings.json'), 'utf8')) as { dim: number; classes: { id: number; name: string; vector: number[] }[] };
    expect(emb.dim).toBe(300);
    expect(emb.classes).toHaveLength(21);
    expect(emb.classes[6]).toMatchObject({ id: 6, name: 'blue square' });
    const space = ds.classSpace;
    const row = space.embeddingOf(space.outputIndexOf(6));
    let worst = 0;
    emb.classes[6].vector.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - row[i]))));
    expect(worst).toBeLessThan(1e-6);
  });

  it('rejects a bad option value and names the option', async () => {
    const cmd = dataSynthCommand().exitOverride().configureOutput({ writeErr: () => undefined });
    await expect(cmd.parseAsync(['--out', dir, '--size', 'big'], { from: 'user' })).rejects.toThrow(/--size must be a non-negative integer, got "big"/);
    const cmd2 = dataSynthCommand();
    await expect(cmd2.parseAsync(['--out', dir, '--size', '8'], { from: 'user' })).rejects.toThrow(/data synth\.size: must not be less than 16/);
  });
});
