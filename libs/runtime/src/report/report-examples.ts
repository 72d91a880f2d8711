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
async function loadSamples(config: Plain, registries: Registries, role: 'train' | 'eval', ids: readonly string[]): Promise<Map<string, Sample>> {
  const splits = (config['splits'] ?? {}) as Record<string, string>;
  const split = splits[role] ?? (role === 'train' ? 'train' : 'test');
  const dataset: SegDataset = registries.dataset.build({ ...(config['dataset'] as ComponentConfig), split }, 'dataset');
  const position = new Map(dataset.ids.map((id, i) => [id, i]));
  const out = new Map<string, Sample>();
  for (const id of ids) {
    const i = position.get(id);
    if (i === undefined) continue;
    const s = await dataset.get(i);
    out.set(id, { image: rgb(s.image), hidden: s.hidden, target: s.target });
  }
  return out;
}

type Sample = { image: RgbImage; hidden: IndexMap; target: IndexMap };

/** Rows of the images that any column has a map for: fixed columns from the sample, then one per map set. */
async function panel(
  config: Plain,
  registries: Registries,
  role: 'train' | 'eval',
  columns: Map<string, Map<string, IndexMap>>,
  fixed: (s: Sample) => Record<string, IndexMap>,
  shown: (map: IndexMap | undefined, s: Sample) => IndexMap | undefined,
): Promise<{ columns: string[]; rows: ExampleRow[] } | undefined> {
  const ids = [...new Set([...columns.values()].flatMap((m) => [...m.keys()]))];
  if (!ids.length) return undefined;
  const samples = await loadSamples(config, registries, role, ids);
  let fixedNames: string[] = [];
  const rows: ExampleRow[] = ids.flatMap((id) => {
    const s = samples.get(id);
    if (!s) return [];
    const maps: ExampleRow['maps'] = fixed(s);
    fixedNames = Object.keys(maps);
    for (const [column, m] of columns) maps[column] = shown(m.get(id), s);
    return [{ id, image: s.image, maps }];
  });
  return { columns: [...fixedNames, ...columns.keys()], rows };
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
  const evaluation = await panel(config, registries, 'eval', predictions, (s) => ({ 'ground truth': s.hidden }), (map, s) => scoredOnly(map, s.hidden));
  if (evaluation) panels.push({ title: 'Evaluation images: ground truth and each method’s prediction (unscored pixels dimmed)', ...evaluation });

  const pseudo = new Map<string, Map<string, IndexMap>>();
  const shown = new Set<string>(); // a round shared by methods (same stage key) is one column
  for (const run of firsts) {
    for (const stage of run.result.stages) {
      if (!stage.dir || !stage.name.startsWith('round-') || shown.has(stage.key)) continue;
      shown.add(stage.key);
      const maps = readMaps(path.join(run.folder, stage.dir, EXAMPLES_DIR));
      if (maps.size) pseudo.set(`${run.method} · ${stage.name}`, maps);
    }
  }
  const training = await panel(config, registries, 'train', pseudo, (s) => ({ 'training target': s.target, 'full labels': s.hidden }), (map) => map);
  if (training) panels.push({ title: 'Training images: what the student sees, the hidden truth and each round’s pseudo-labels', ...training });
  return panels;
}
