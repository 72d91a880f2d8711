// Writes the benchmark's input: 50 VOC-sized (500×375) JPEGs with palette label PNGs, in the VOC layout, made by
// re-encoding the two real VOC 2012 samples under different crops, flips and JPEG qualities.
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { SeededRng, writeFileAtomic, type LabelMap } from '@zls/core';
import { readLabelPng, resizeNearest, writeLabelPng } from '@zls/data';

// The real samples shipped with the data library's test fixtures.
const VOC = path.join(__dirname, '..', '..', 'libs', 'data', 'fixtures', 'voc12', 'VOCdevkit', 'VOC2012');
const SOURCES = ['2007_000033', '2007_000129'];
const WIDTH = 500;
const HEIGHT = 375;

function cropAndFlip(label: LabelMap, top: number, left: number, h: number, w: number, flip: boolean): LabelMap {
  const out = new Uint8Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) out[y * w + (flip ? w - 1 - x : x)] = label.data[(top + y) * label.width + left + x];
  }
  return { data: out, height: h, width: w };
}

export async function makeFixtures(dir: string, count = 50): Promise<string[]> {
  const rng = new SeededRng(2021);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const source = SOURCES[i % SOURCES.length];
    const label = readLabelPng(path.join(VOC, 'SegmentationClass', `${source}.png`));
    const h = Math.floor(label.height * rng.uniform(0.85, 1));
    const w = Math.floor(label.width * rng.uniform(0.85, 1));
    const top = rng.int(0, label.height - h);
    const left = rng.int(0, label.width - w);
    const flip = rng.next() < 0.5;
    const quality = rng.int(75, 95);
    const id = `bench_${String(i).padStart(3, '0')}`;
    let image = sharp(path.join(VOC, 'JPEGImages', `${source}.jpg`)).extract({ top, left, width: w, height: h });
    if (flip) image = image.flop();
    const jpeg = await image.resize(WIDTH, HEIGHT, { fit: 'fill', kernel: 'lanczos3' }).jpeg({ quality }).toBuffer();
    writeFileAtomic(path.join(dir, 'JPEGImages', `${id}.jpg`), jpeg);
    writeLabelPng(path.join(dir, 'SegmentationClass', `${id}.png`), resizeNearest(cropAndFlip(label, top, left, h, w, flip), HEIGHT, WIDTH));
    ids.push(id);
  }
  writeFileAtomic(path.join(dir, 'ImageSets', 'Segmentation', 'train.txt'), ids.join('\n') + '\n');
  return ids;
}

if (require.main === module) {
  const dir = process.argv[2] ?? path.join(require('node:os').tmpdir(), 'zls-bench-data');
  fs.mkdirSync(dir, { recursive: true });
  makeFixtures(dir).then((ids) => console.log(`wrote ${ids.length} samples to ${dir}`));
}
