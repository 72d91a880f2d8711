import * as fs from 'node:fs';
import * as path from 'node:path';
import { useTempDir, writeTinyAblation } from '@zls/testing';
import { createRegistries } from '@zls/runtime';
import { runAblation } from './run-ablation';

const experiments = path.resolve(__dirname, '../../../experiments');

/** Two shipped methods on a shrunken benchmark: they share the SPNet stage of their seed. */
const writeAblation = (dir: string) => writeTinyAblation(dir, experiments, ['train.iterations=4', 'selfTraining.train.iterations=2']);

describe('runAblation', () => {
  const dir = useTempDir('zls-ablation-run-');

  it('runs each method once, shares their SPNet stage, writes the tables, and reads finished runs back', async () => {
    const file = writeAblation(dir());
    const out = path.join(dir(), 'runs');
    const lines: string[] = [];
    const first = await runAblation({ file, registries: createRegistries(), out, print: (l) => lines.push(l) });
    expect(first.table.map((r) => r.method)).toEqual(['SPNet', 'SPNet+ST']);
    expect(first.markdown).toMatch(/^\| method \| seeds \| S mIoU \| U mIoU \| hIoU \|/);
    expect(first.qualityMarkdown).toMatch(/\| SPNet\+ST \| argmax over unseen classes, every candidate \| 1 \|/);
    expect(first.markdown).toMatch(/Data: each seed is an independent data draw/);
    expect(lines.join('\n')).toMatch(/spnet: .*\(stage reused\)/); // the second method found the first one's SPNet
    expect(fs.readdirSync(path.join(out, 'stages')).filter((d) => d.startsWith('spnet-'))).toHaveLength(1);
    for (const f of ['results.md', 'results.json']) expect(fs.existsSync(path.join(out, 'tiny', f))).toBe(true);

    const again: string[] = [];
    const second = await runAblation({ file, registries: createRegistries(), out, print: (l) => again.push(l) });
    expect(again.filter((l) => l.includes('finished earlier'))).toHaveLength(2);
    expect(second.table).toEqual(first.table);
  }, 120_000);

  it('validates every run before any work starts', async () => {
    const file = path.join(dir(), 'bad.yaml');
    fs.writeFileSync(file, `methods: [{name: A, config: ${path.join(experiments, 'spnet/spnet_synthetic-net_1000_synthetic-64.yaml')}, set: [train.iterations=0]}]\n`);
    await expect(runAblation({ file, registries: createRegistries(), out: path.join(dir(), 'runs') })).rejects.toThrow(/A: train\.iterations: must not be less than 1/);
    expect(fs.existsSync(path.join(dir(), 'runs'))).toBe(false);
  });
});
