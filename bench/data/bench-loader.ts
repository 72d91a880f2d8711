// bench/data: images per second from VOC-sized JPEGs to normalised 321×321 float32 crops (warp 513, random scale,
// pad, crop 321, flip, Caffe mean) with zls's BatchLoader, against PIL + torchvision on the same files.
// Usage: SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register bench/data/bench-loader.ts
//        [--dataset fast|voc12] [--workers 0,2] [--rounds 3] [--epochs 4] [--batch 8] [--dir DIR] [--reference no]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ComponentConfig } from '@zls/core';
import { BatchLoader, DEFAULT_REGISTRATIONS, type LoaderSource } from '@zls/data';
import { makeFixtures } from './make-fixtures';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const dir = arg('dir', path.join(os.tmpdir(), 'zls-bench-data'));
const epochs = Number(arg('epochs', '4'));
const batchSize = Number(arg('batch', '8'));
const workerCounts = arg('workers', '0,2').split(',').map(Number);
const withReference = arg('reference', 'yes') !== 'no';
const rounds = Number(arg('rounds', '3'));
const PYTHON = '/usr/bin/python3';

/**
 * fast: the VOC files read with decodeImageFast + decodeIndexedPng, labels as stored (the reference's work);
 * voc12: the library's PASCAL VOC dataset (its own decoders, plus class-space mapping and unseen masking).
 */
const datasetKind = arg('dataset', 'fast');
const DATASETS: Record<string, ComponentConfig> = {
  fast: { type: 'bench-voc-files', root: dir },
  voc12: { type: 'voc12', root: dir, split: 'train', embedding: 'word2vec', maskUnseen: true },
};
if (!DATASETS[datasetKind]) throw new Error(`--dataset ${datasetKind}: expected one of ${Object.keys(DATASETS).join(', ')}`);

const source: LoaderSource = {
  registrations: [
    ...DEFAULT_REGISTRATIONS,
    { module: path.join(__dirname, '../../libs/data/src/register-real'), exportName: 'registerRealDatasets' },
    { module: path.join(__dirname, 'voc-files-dataset'), exportName: 'registerBenchDatasets' },
  ],
  dataset: DATASETS[datasetKind],
  transforms: [
    { type: 'resize', mode: 'warp', size: 513 },
    { type: 'random-scale', min: 0.5, max: 1.5 },
    { type: 'pad', height: 513, width: 513 },
    { type: 'random-crop', height: 321, width: 321 },
    { type: 'horizontal-flip', probability: 0.5 },
    { type: 'normalize', preset: 'caffe-bgr' },
  ],
};

interface Measured {
  imagesPerSecond: number;
  /** CPU time of the whole process per image (all threads). */
  cpuMsPerImage: number;
}

async function measureZls(workers: number): Promise<Measured> {
  const loader = await BatchLoader.create({ source, batchSize, seed: 0, workers });
  try {
    for await (const _ of loader.epoch(0)); // warm-up: thread start, JIT, file cache
    let images = 0;
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    for (let e = 1; e <= epochs; e++) for await (const b of loader.epoch(e)) images += b.size;
    const used = process.cpuUsage(cpu);
    return { imagesPerSecond: images / (Number(process.hrtime.bigint() - start) / 1e9), cpuMsPerImage: (used.user + used.system) / 1000 / images };
  } finally {
    await loader.close();
  }
}

function measureReference(workers: number): Measured {
  const script = path.join(__dirname, 'reference_pil_torchvision.py');
  const run = spawnSync(PYTHON, [script, dir, String(workers), String(epochs), String(batchSize)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`reference failed (${PYTHON} ${script}):\n${run.stderr}`);
  const out = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { images_per_s: number; cpu_ms_per_image: number };
  return { imagesPerSecond: out.images_per_s, cpuMsPerImage: out.cpu_ms_per_image };
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(dir, 'ImageSets', 'Segmentation', 'train.txt'))) await makeFixtures(dir);
  console.log(`bench/data: 50 VOC-sized JPEGs in ${dir}; dataset ${datasetKind}; ${epochs} timed epochs after one warm-up; batch ${batchSize}; ${os.cpus().length} cores`);
  // The machine is shared: rounds alternate zls and the reference so both see the same load; medians are reported.
  for (const workers of workerCounts) {
    const ours: Measured[] = [];
    const ref: Measured[] = [];
    for (let r = 0; r < rounds; r++) {
      ours.push(await measureZls(workers));
      if (withReference) ref.push(measureReference(workers));
    }
    const where = workers === 0 ? 'main thread / num_workers=0' : `${workers} worker threads / num_workers=${workers}`;
    const ratios = ours.map((o, i) => o.imagesPerSecond / ref[i]?.imagesPerSecond);
    const speed = (m: Measured[]) => fmt(m.map((x) => x.imagesPerSecond));
    console.log(
      `${where}: zls ${speed(ours)} img/s, PIL+torchvision ${speed(ref)} img/s; ratio per round ${ratios.map((x) => x.toFixed(2)).join(' ')}; ` +
        `median ratio ${median(ratios).toFixed(2)}×`,
    );
    if (workers === 0 && withReference) {
      // CPU time per image is less disturbed by other load on a shared machine than wall time.
      const cpuRatio = median(ref.map((x) => x.cpuMsPerImage)) / median(ours.map((x) => x.cpuMsPerImage));
      console.log(
        `  CPU ms/image: zls ${fmt(ours.map((x) => x.cpuMsPerImage))}, reference ${fmt(ref.map((x) => x.cpuMsPerImage))}; ` +
          `CPU-time ratio (reference / zls) ${cpuRatio.toFixed(2)}×`,
      );
    }
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function fmt(xs: number[]): string {
  return xs.length ? `${median(xs).toFixed(1)} (${xs.map((x) => x.toFixed(1)).join(', ')})` : 'n/a';
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
