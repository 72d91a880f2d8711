import * as path from 'node:path';
import { loadConfig, validateExperiment } from '@zls/core';
import { JsonlLog } from '@zls/engine';
import { TINY_SYNTHETIC_OVERRIDES, useTempDir } from '@zls/testing';
import { createRegistries } from '../registries';
import { runConfig } from './run-config';

const root = path.resolve(__dirname, '../../../..');
const spnet = path.join(root, 'experiments/spnet/spnet_synthetic-net_1000_synthetic-64.yaml');

/** Mean loss over consecutive windows of `size` steps. */
function windows(losses: number[], size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + size <= losses.length; i += size) out.push(losses.slice(i, i + size).reduce((a, b) => a + b, 0) / size);
  return out;
}

describe('training graphs against tfjs autodiff over a 200-step SPNet stage', () => {
  const dir = useTempDir('zls-engines-');

  it('give the same loss curve (20-step means within 3 %) and final mIoU within 3 points', async () => {
    const registries = createRegistries();
    const runs: Record<string, { losses: number[]; seen: number; unseen: number }> = {};
    for (const backend of ['wasm-ort', 'auto']) {
      const { config, files } = loadConfig(spnet, [...TINY_SYNTHETIC_OVERRIDES, `backend=${backend}`, 'train.iterations=200', 'dataset.nTrain=64']);
      validateExperiment(config, registries);
      const stageRoot = path.join(dir(), backend, 'stages');
      const lines: string[] = [];
      const result = await runConfig({ config, registries, runDir: path.join(dir(), backend, 'run'), stageRoot, sourceFiles: files, print: (l) => lines.push(l) });
      expect(lines.some((l) => l.startsWith('training graphs:'))).toBe(backend === 'auto');
      const log = path.join(stageRoot, result.stages[0].key, 'train.jsonl');
      runs[backend] = { losses: JsonlLog.read(log).map((r) => r['loss'] as number), seen: result.stages[0].headline.seen, unseen: result.stages[0].headline.unseen };
    }
    const [tfjs, graph] = [runs['wasm-ort'], runs['auto']];
    expect(graph.losses).toHaveLength(200);
    // Step 1 starts from identical weights and data: equal up to float32 summation order.
    expect(Math.abs(graph.losses[0] - tfjs.losses[0])).toBeLessThan(1e-4 * Math.abs(tfjs.losses[0]));
    // Later steps drift apart by float32 round-off through Adam; the curves' shape must agree.
    const a = windows(tfjs.losses, 20);
    const b = windows(graph.losses, 20);
    a.forEach((v, i) => expect(Math.abs(b[i] - v) / v).toBeLessThan(0.03));
    expect(b[b.length - 1]).toBeLessThan(b[0] * 0.8);
    expect(Math.abs(graph.seen - tfjs.seen)).toBeLessThan(3);
    expect(Math.abs(graph.unseen - tfjs.unseen)).toBeLessThan(3);
  }, 300_000);
});
