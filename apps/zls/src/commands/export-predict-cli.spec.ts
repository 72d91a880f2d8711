import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readLabelPng } from '@zls/data';
import { TINY_SYNTHETIC_OVERRIDES, useTempDir } from '@zls/testing';

const root = path.resolve(__dirname, '../../../..');
const bin = path.join(root, 'apps/zls/bin/zls.cjs');
const spnet = path.join(root, 'experiments/spnet/spnet_synthetic-net_1000_synthetic-64.yaml');

/** Runs the CLI in a fresh node process, as a user's shell would; fails the test with its stderr. */
function zls(args: string[]): string {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  if (run.status !== 0) throw new Error(`zls ${args.join(' ')} exited ${run.status}:\n${run.stderr}`);
  return run.stdout;
}

describe('zls export and zls predict from nothing but a stage checkpoint (fresh processes)', () => {
  const dir = useTempDir('zls-cli-export-');

  it('export writes an ONNX model, and predict gives the same masks from the checkpoint and from the model', () => {
    const out = path.join(dir(), 'runs');
    zls(['train', spnet, '--out', out, '--no-progress', ...[...TINY_SYNTHETIC_OVERRIDES, 'train.iterations=8'].flatMap((o) => ['--set', o])]);
    const stages = path.join(out, 'stages');
    const stage = fs.readdirSync(stages).find((d) => d.startsWith('spnet-')) as string;
    const checkpoint = path.join(stages, stage, fs.readdirSync(path.join(stages, stage)).find((f) => f.endsWith('.safetensors')) as string);
    const onnx = path.join(dir(), 'model.onnx');
    expect(zls(['export', '--checkpoint', checkpoint, '--out', onnx])).toMatch(/wrote .*model\.onnx \(\d+ bytes, 20 classes\)/);
    zls(['data', 'synth', '--out', path.join(dir(), 'synth'), '--n-train', '1', '--n-val', '1', '--n-test', '1', '--size', '33']);
    const images = path.join(dir(), 'synth', 'JPEGImages');
    const image = path.join(images, fs.readdirSync(images)[0]);
    // No --config, no --normalization: the checkpoint and the exported file say what predict needs.
    zls(['predict', '--model', checkpoint, image, '--out', path.join(dir(), 'from-checkpoint')]);
    zls(['predict', '--model', onnx, image, '--out', path.join(dir(), 'from-onnx')]);
    const name = `${path.parse(image).name}.png`;
    const a = readLabelPng(path.join(dir(), 'from-checkpoint', name));
    const b = readLabelPng(path.join(dir(), 'from-onnx', name));
    expect([a.height, a.width]).toEqual([33, 33]);
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
    // Masks hold the dataset label ids the checkpoint recorded, not output indices.
    const header = fs.readFileSync(checkpoint);
    const meta = JSON.parse(header.subarray(8, 8 + Number(header.readBigUInt64LE(0))).toString())['__metadata__'];
    const ids = new Set(JSON.parse(meta['zls.label_ids']) as number[]);
    expect(meta['zls.normalization']).toBe('synthetic');
    expect([...new Set(a.data)].every((v) => ids.has(v))).toBe(true);
  }, 300_000);
});
