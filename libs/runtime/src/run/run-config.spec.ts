import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig, validateExperiment } from '@zls/core';
import { JsonlLog } from '@zls/engine';
import { entryToFloat32, readSafetensors, type SafetensorsEntry } from '@zls/models';
import { TINY_SYNTHETIC_OVERRIDES, useTempDir } from '@zls/testing';
import { createRegistries } from '../registries';
import { runConfig } from './run-config';

const root = path.resolve(__dirname, '../../../..');
const strict = path.join(root, 'experiments/strict/strict_synthetic-net_1000+400_synthetic-64.yaml');

/** The shipped STRICT experiment, shrunk to seconds. */
const tiny = [
  ...TINY_SYNTHETIC_OVERRIDES,
  'model.head.embeddingDim=300',
  'train.iterations=12',
  'train.checkpointEvery=6',
  'train.lr=0.01',
  'selfTraining.train.iterations=4',
  'selfTraining.pseudoLabel.scales=[1.5]',
];

describe('runConfig (tiny end-to-end STRICT run)', () => {
  const dir = useTempDir('zls-run-');

  it('trains, self-trains, scores and writes every artifact; a rerun reuses the finished stages', async () => {
    const registries = createRegistries();
    const { config, files } = loadConfig(strict, tiny);
    validateExperiment(config, registries);
    const runDir = path.join(dir(), 'run');
    const stageRoot = path.join(dir(), 'stages');
    const lines: string[] = [];
    const result = await runConfig({ config, registries, runDir, stageRoot, sourceFiles: files, print: (l) => lines.push(l) });

    expect(result.stages.map((s) => s.name)).toEqual(['spnet', 'round-1']);
    expect(result.stages.every((s) => s.trained)).toBe(true);
    for (const s of result.stages) expect(Number.isFinite(s.headline.seen)).toBe(true);
    for (const f of ['config.yaml', 'config.json', 'results.json', 'metrics/spnet.json', 'metrics/round-1.json', 'examples/spnet/index.json', 'examples/round-1/index.json']) {
      expect(fs.existsSync(path.join(runDir, f))).toBe(true);
    }
    // Four evaluation predictions per stage, four pseudo-label maps per round, as grey index PNGs.
    expect(fs.readdirSync(path.join(runDir, 'examples/round-1')).filter((f) => f.endsWith('.png'))).toHaveLength(4);
    const roundDir = path.join(runDir, result.stages[1].dir as string);
    expect(JSON.parse(fs.readFileSync(path.join(roundDir, 'examples/index.json'), 'utf8')).split).toBe('train');
    expect(result.pseudoLabelQuality).toHaveLength(1);
    const stageDirs = fs.readdirSync(stageRoot);
    expect(stageDirs.some((d) => d.startsWith('spnet-'))).toBe(true);
    expect(stageDirs.some((d) => d.startsWith('round1-'))).toBe(true);

    // The supervised stage's loss goes down over its 12 steps.
    const losses = JsonlLog.read(path.join(runDir, result.stages[0].dir as string, 'train.jsonl')).map((r) => r['loss'] as number);
    expect(losses).toHaveLength(12);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-4))).toBeLessThan(mean(losses.slice(0, 4)));

    const again = await runConfig({ config, registries, runDir: path.join(dir(), 'run2'), stageRoot, print: () => undefined });
    expect(again.stages.map((s) => s.trained)).toEqual([false, false]);
    expect(again.headline).toEqual(result.headline);
  }, 120_000);

  it('gives identical metrics for the same config and seed on the same backend', async () => {
    const registries = createRegistries();
    const { config } = loadConfig(strict, tiny);
    const run = (name: string) =>
      runConfig({ config, registries, runDir: path.join(dir(), name), stageRoot: path.join(dir(), `${name}-stages`), print: () => undefined });
    const a = await run('a');
    const b = await run('b');
    expect(b.stages.map((s) => s.headline)).toEqual(a.stages.map((s) => s.headline));
    expect(b.pseudoLabelQuality).toEqual(a.pseudoLabelQuality);
  }, 120_000);
});

describe('runConfig: backbones that need pretrained weights', () => {
  const dir = useTempDir('zls-weights-guard-');
  const resnet = ['model.backbone={type: resnet, depth: 18, baseWidth: 4, outputStride: 16, caffeStem: false, requireWeights: true}', 'model.head.embeddingDim=300', 'train.iterations=2'];

  it('refuses to start without weights, naming the key and the way out, and writes nothing', async () => {
    const registries = createRegistries();
    const { config } = loadConfig(strict, [...tiny, ...resnet, 'selfTraining.rounds=0']);
    const runDir = path.join(dir(), 'run');
    await expect(runConfig({ config, registries, runDir, stageRoot: path.join(dir(), 'stages') })).rejects.toThrow(
      /model\.backbone\.weights: this protocol starts from ImageNet weights.*--allow-random-init/,
    );
    expect(fs.existsSync(runDir)).toBe(false);
  });

  it('trains from random weights when allowRandomInit is set', async () => {
    const registries = createRegistries();
    const { config } = loadConfig(strict, [...tiny, ...resnet, 'selfTraining.rounds=0', 'allowRandomInit=true']);
    const result = await runConfig({ config, registries, runDir: path.join(dir(), 'run'), stageRoot: path.join(dir(), 'stages') });
    expect(result.stages.map((s) => s.name)).toEqual(['spnet']);
  }, 120_000);

  it("SPNet-c's held-out SPNet starts like SPNet: a random frozen-BN ResNet's statistics from its first batch, its curve logged", async () => {
    const registries = createRegistries();
    const spnetC = path.join(root, 'experiments/spnet-c/spnet-c_synthetic-net_1000_synthetic-64.yaml');
    const deep = 'model.backbone={type: resnet, depth: 50, baseWidth: 4, outputStride: 8, frozenBn: true, requireWeights: true}';
    const { config } = loadConfig(spnetC, [...tiny, deep, 'train.iterations=3', 'allowRandomInit=true']);
    const stageRoot = path.join(dir(), 'stages');
    const result = await runConfig({ config, registries, runDir: path.join(dir(), 'run'), stageRoot });
    expect(result.calibration?.rule).toBe('held-out-seen');
    const stageDir = (name: RegExp) => path.join(stageRoot, fs.readdirSync(stageRoot).find((d) => name.test(d)) as string);
    const heldOut = stageDir(/^spnet-held-out-/);
    const losses = JsonlLog.read(path.join(heldOut, 'train.jsonl')).map((r) => r['loss'] as number);
    expect(losses).toHaveLength(3);
    expect(losses.every(Number.isFinite)).toBe(true);
    // The stem's frozen batch norm holds the moments of conv1's output on the first batch, not the identity
    // (running variance 1) that sent ResNet-101's held-out SPNet to a NaN loss at step 2.
    const checkpoint = readSafetensors(path.join(heldOut, fs.readdirSync(heldOut).find((f) => f.endsWith('.safetensors')) as string));
    const name = [...checkpoint.tensors.keys()].find((n) => n.endsWith('backbone.bn1.running_var')) as string;
    const variance = entryToFloat32(checkpoint.tensors.get(name) as SafetensorsEntry, name, heldOut);
    expect(variance.some((v) => Math.abs(v - 1) > 1e-3)).toBe(true);
  }, 120_000);
});
