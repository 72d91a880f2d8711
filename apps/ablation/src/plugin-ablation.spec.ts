import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRegistries } from '@zls/runtime';
import { useTempDir } from '@zls/testing';
import { runAblation } from './run-ablation';

const shipped = path.resolve(__dirname, '../../../experiments/ablations/plugin-example.yaml');

/**
 * The shipped plugin walkthrough, shrunk: both methods take their dataset, and the second its transform, head and
 * labeller, from @zls/plugin-example-extensions, with the configs' two loader threads (which import the plugin
 * themselves), and the plugin's results column joins every table.
 */
describe('an ablation built from a plugin', () => {
  const dir = useTempDir('zls-plugin-ablation-');

  it('runs end to end with two loader threads and shows the plugin column', async () => {
    const tiny = ['dataset.size=33', 'dataset.nTrain=16', 'dataset.nVal=8', 'dataset.nTest=8', 'model.backbone.width=4', 'train.batchSize=4', 'selfTraining.train.batchSize=4', 'eval.batchSize=8', 'train.iterations=3', 'selfTraining.train.iterations=3'];
    // Three steps leave the net unsure: at the shipped 0.8 a run can label no pixel at all (it did on CI), and the
    // column would rightly print "–". The max of a two-way softmax is always ≥ 0.5, so every candidate is labelled.
    const text = fs
      .readFileSync(shipped, 'utf8')
      .replace(/config: \.\.\//g, `config: ${path.dirname(path.dirname(shipped))}/`)
      .replace(/(confidence-threshold_linear-head_stripes-65\.yaml)\}/, '$1, set: ["selfTraining.pseudoLabel.threshold=0.5"]}');
    expect(text).toContain('threshold=0.5');
    const file = path.join(dir(), 'plugin-example.yaml');
    fs.writeFileSync(file, `${text}set: [${tiny.map((s) => JSON.stringify(s)).join(', ')}]\n`);
    const out = path.join(dir(), 'runs');
    const result = await runAblation({ file, registries: createRegistries(), out, print: () => undefined });

    expect(result.table.map((r) => r.method)).toEqual(['SPNet', 'Threshold-ST']);
    expect(result.markdown).toMatch(/^\| method \| seeds \| S mIoU \| U mIoU \| hIoU \| PL prec\. \|/m);
    expect(result.markdown).toMatch(/^\| SPNet \| 1 \| [\d.]+ \| [\d.]+ \| [\d.]+ \| – \|$/m);
    expect(result.markdown).toMatch(/^\| Threshold-ST \| 1 \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \|$/m);
    expect(result.qualityMarkdown).toMatch(/\| Threshold-ST \| argmax over unseen classes where its unseen-class softmax ≥ 0\.5 \| 1 \|/);
    const saved = JSON.parse(fs.readFileSync(path.join(out, 'plugin-example', 'results.json'), 'utf8')) as { table: Record<string, unknown>[] };
    expect(saved.table[1]['pseudoLabelPrecision']).toEqual(expect.objectContaining({ n: 1 }));

    const runDir = fs.readdirSync(path.join(out, 'plugin-example')).find((d) => d.startsWith('Threshold-ST-'));
    const { config } = JSON.parse(fs.readFileSync(path.join(out, 'plugin-example', String(runDir), 'config.json'), 'utf8'));
    expect(config.loader.workers).toBe(2);
    expect(config.dataset.type).toBe('stripes');
    expect(config.model.head.type).toBe('linear-projection');
    expect(config.transforms.map((t: { type: string }) => t.type)).toContain('brightness-jitter');
    expect(config.selfTraining.pseudoLabel.type).toBe('confidence-threshold');
  }, 180_000);
});
