import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ComponentConfig, Plain, Registries, SegDataset } from '@zls/core';
import { readLabelPng } from '@zls/data';
import { EXAMPLES_DIR } from '@zls/engine';
import type { ExamplePanel, ExampleRow, IndexMap, RgbImage } from '@zls/report';
import { finalStageName, firstRunPerMethod, type RunFolder } from './run-folders';

interface ExampleIndex {
  split: string;
  ids: string[];
}

function readIndex(dir: string): ExampleIndex | undefined {
  const file = path.join(dir, 'index.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ExampleIndex) : undefined;
}

function readMaps(dir: string): Map<string, IndexMap> {
  const index = readIndex(dir);
  const maps = new Map<string, IndexMap>();
  if (!index) return maps;
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.png')).sort();
  index.ids.forEach((id, i) => {
    const file = files.find((f) => f.startsWith(`${String(i).padStart(3, '0')}-`));
    if (file) maps.set(id, readLabelPng(path.join(dir, file)));
  });
  return maps;
}

function rgb(image: { data: Uint8Array | Float32Array; height: number; width: number; channels: number }): RgbImage {
  const data = new Uint8Array(image.height * image.width * 3);
  for (let i = 0; i < image.height * image.width; i++) {
    for (let c = 0; c < 3; c++) data[3 * i + c] = image.data[i * image.channels + Math.min(c, image.channels - 1)];
  }
  return { data, height: image.height, width: image.width };
}

/** A prediction shown only where it is scored (the ground truth is not ignore), as the metrics see it. */
function scoredOnly(prediction: IndexMap | undefined, truth: IndexMap): IndexMap | undefined {
  if (!prediction || prediction.height !== truth.height || prediction.width !== truth.width) return prediction;
  const data = prediction.data.map((v, i) => (truth.data[i] === 255 ? 255 : v));
  return { data, height: truth.height, width: truth.width };
}

/** The images of some ids of a split, with their full and training labels, read from the run's dataset. */
async function loadSamples(config: Plain, registries: Registries, role: 'train' | 'eval', ids: readonly string[]) {
  const splits = (config['splits'] ?? {}) as Record<string, string>;
  const split = splits[role] ?? (role === 'train' ? 'train' : 'test');
  const dataset: SegDataset = registries.dataset.build({ ...(config['dataset'] as ComponentConfig), split }, 'dataset');
  const position = new Map(dataset.ids.map((id, i) => [id, i]));
  const out = new Map<string, { image: RgbImage; hidden: IndexMap; target: IndexMap }>();
  for (const id of ids) {
    const i = position.get(id);
    if (i === undefined) continue;
    const s = await dataset.get(i);
    out.set(id, { image: rgb(s.image), hidden: s.hidden, target: s.target });
  }
  return out;
}

/**
 * Two panels: evaluation images with the ground truth and each method's final prediction, and training images
 * with their training target (unseen classes hidden), the full labels and each round's pseudo-labels.
 */
export async function examplePanels(runs: readonly RunFolder[], registries: Registries): Promise<ExamplePanel[]> {
  const firsts = firstRunPerMethod(runs);
  if (firsts.length === 0) return [];
  // config.json (saveResolvedConfig) holds the resolved experiment under "config".
  const config = (JSON.parse(fs.readFileSync(path.join(firsts[0].folder, 'config.json'), 'utf8')) as { config: Plain }).config;
  const panels: ExamplePanel[] = [];

  const predictions = new Map(firsts.map((r) => [r.method, readMaps(path.join(r.folder, EXAMPLES_DIR, finalStageName(r.result)))]));
  const evalIds = [...new Set([...predictions.values()].flatMap((m) => [...m.keys()]))];
  if (evalIds.length) {
    const samples = await loadSamples(config, registries, 'eval', evalIds);
    const rows: ExampleRow[] = evalIds.flatMap((id) => {
      const s = samples.get(id);
      if (!s) return [];
      const maps: ExampleRow['maps'] = { 'ground truth': s.hidden };
      for (const [method, m] of predictions) maps[method] = scoredOnly(m.get(id), s.hidden);
      return [{ id, image: s.image, maps }];
    });
    panels.push({ title: 'Evaluation images: ground truth and each method’s prediction (unscored pixels dimmed)', columns: ['ground truth', ...predictions.keys()], rows });
  }

  const pseudo = new Map<string, Map<string, IndexMap>>();
  for (const run of firsts) {
    for (const stage of run.result.stages) {
      if (!stage.dir || !stage.name.startsWith('round-')) continue;
      const maps = readMaps(path.join(run.folder, stage.dir, EXAMPLES_DIR));
      if (maps.size) pseudo.set(`${run.method} · ${stage.name}`, maps);
    }
  }
  const trainIds = [...new Set([...pseudo.values()].flatMap((m) => [...m.keys()]))];
  if (trainIds.length) {
    const samples = await loadSamples(config, registries, 'train', trainIds);
    const rows: ExampleRow[] = trainIds.flatMap((id) => {
      const s = samples.get(id);
      if (!s) return [];
      const maps: ExampleRow['maps'] = { 'training target': s.target, 'full labels': s.hidden };
      for (const [column, m] of pseudo) maps[column] = m.get(id);
      return [{ id, image: s.image, maps }];
    });
    panels.push({ title: 'Training images: what the student sees, the hidden truth and each round’s pseudo-labels', columns: ['training target', 'full labels', ...pseudo.keys()], rows });
  }
  return panels;
}
