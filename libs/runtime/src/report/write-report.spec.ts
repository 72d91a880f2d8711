import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '@zls/core';
import { TINY_SYNTHETIC_OVERRIDES, checkPageInChromium, findChromium, useTempDir } from '@zls/testing';
import { createRegistries } from '../registries';
import { runConfig } from '../run/run-config';
import { writeReport } from './write-report';

const root = path.resolve(__dirname, '../../../..');
const strict = path.join(root, 'experiments/strict/strict-2r_synthetic-net_1000+2x400_synthetic-64.yaml');
/** Kept after the test: the screenshot is the test's artifact. */
const screenshot = path.join(root, 'tmp/report-test/report.png');

describe('zls report on a finished run', () => {
  const dir = useTempDir('zls-report-');
  // One tiny run shared by the tests (useTempDir's folders exist only inside each test).
  const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'zls-report-run-'));
  const runDir = path.join(shared, 'run');
  afterAll(() => fs.rmSync(shared, { recursive: true, force: true }));

  beforeAll(async () => {
    const registries = createRegistries();
    const { config } = loadConfig(strict, [...TINY_SYNTHETIC_OVERRIDES, 'train.iterations=12', 'selfTraining.train.iterations=4', 'selfTraining.pseudoLabel.scales=[1.5]']);
    await runConfig({ config, registries, runDir, stageRoot: path.join(shared, 'stages') });
  }, 120_000);

  it('writes one HTML file with the table, per-class bars, curves, quality and examples of every stage', async () => {
    const file = await writeReport(runDir, createRegistries());
    expect(file).toBe(path.join(runDir, 'report.html'));
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toContain('strict-2r_synthetic-net_1000+2x400_synthetic-64');
    expect((html.match(/<figure class="chart"><svg/g) ?? []).length).toBe(4);
    // Training curves of all three stages: spnet, round-1, round-2.
    for (const stage of ['spnet', 'round-1', 'round-2']) expect(html).toContain(`· ${stage}`);
    // Per-class pseudo-label quality of both rounds, under the overall chart.
    expect(html).toContain('<h3>Pseudo-label quality per unseen class</h3>');
    // Evaluation panel: 4 images × (image, ground truth, prediction); training panel: 4 × (image, target, labels, 2 rounds).
    expect((html.match(/<img /g) ?? []).length).toBe(4 * 3 + 4 * 5);
  }, 60_000);

  it('names the folder and what it expected when there is nothing to report', async () => {
    await expect(writeReport(dir(), createRegistries())).rejects.toThrow(/no results\.json: expected the folder of a finished run/);
  });

  it('renders in headless Chromium without console errors, every chart and image drawn', async () => {
    const chromium = findChromium();
    if (!chromium) {
      // CI installs Debian's chromium (.ci/run); elsewhere the check is skipped with a notice rather than failed.
      if (process.env['CI']) throw new Error('Chromium not found: apt-get install chromium, or set ZLS_CHROMIUM');
      console.warn('report browser check skipped: no Chromium (apt-get install chromium, or set ZLS_CHROMIUM)');
      return;
    }
    const file = await writeReport(runDir, createRegistries());
    const page = await checkPageInChromium(file, screenshot, chromium);
    expect(page.errors).toEqual([]);
    expect(page.charts).toBe(4);
    expect(page.renderedCharts).toBe(4);
    expect(page.images).toBe(32);
    expect(page.loadedImages).toBe(32);
    expect(fs.statSync(screenshot).size).toBeGreaterThan(10_000);
  }, 60_000);
});
