import * as path from 'node:path';
import sharp from 'sharp';
import { IGNORE_INDEX, writeFileAtomic } from '@zls/core';
import { writeLabelPng } from '../labels/label-png';
import { generateSyntheticImage } from './generate-synthetic-image';
import { SyntheticDataset, syntheticOptions, type SyntheticDatasetOptions, type SyntheticSplit } from './synthetic-dataset';
import { BACKGROUND_LABEL_ID, RECIPE, UNSEEN_LABEL_IDS, classNameOf } from './synthetic-recipe';
import { syntheticEmbeddings } from './synthetic-embeddings';


export type SyntheticImageFormat = 'png' | 'jpeg';

export interface WriteSyntheticVocOptions extends Partial<Omit<SyntheticDatasetOptions, 'split'>> {
  out: string;
  /** png (default): lossless, the exact generated pixels; jpeg: quality 95, 4:4:4, which alters pixels slightly. */
  imageFormat?: SyntheticImageFormat;
  onProgress?: (written: number, total: number) => void;
}

export interface WrittenSyntheticVoc {
  readonly out: string;
  readonly counts: Record<SyntheticSplit, number>;
}

const SPLITS: readonly SyntheticSplit[] = ['train', 'val', 'test'];

/**
 * Writes the synthetic benchmark in the VOC layout: JPEGImages/<id>.png|.jpg, SegmentationClass/<id>.png (palette
 * PNG of label ids; background is written as id 20 in both modes, which is simply not a class when background
 * is ignored), ImageSets/Segmentation/{train,val,test}.txt, classes.json and embeddings.json.
 */
export async function writeSyntheticVoc(options: WriteSyntheticVocOptions): Promise<WrittenSyntheticVoc> {
  const { out, imageFormat = 'png', onProgress, ...rest } = options;
  const base = syntheticOptions(rest);
  const datasets = SPLITS.map((split) => new SyntheticDataset(syntheticOptions({ ...base, split })));
  const total = datasets.reduce((n, d) => n + d.ids.length, 0);
  let written = 0;
  for (const ds of datasets) {
    for (let i = 0; i < ds.ids.length; i++) {
      // Generated here without the dataset's cache: a large export should not keep every image in memory.
      const raw = generateSyntheticImage(ds.imageRng(i), base.size);
      const label = raw.label.map((v) => (v === IGNORE_INDEX ? BACKGROUND_LABEL_ID : v));
      await writeImage(path.join(out, 'JPEGImages', `${ds.ids[i]}.${imageFormat === 'png' ? 'png' : 'jpg'}`), raw.image, base.size, imageFormat);
      writeLabelPng(path.join(out, 'SegmentationClass', `${ds.ids[i]}.png`), { data: label, height: base.size, width: base.size });
      onProgress?.(++written, total);
    }
    writeFileAtomic(path.join(out, 'ImageSets', 'Segmentation', `${ds.split}.txt`), ds.ids.join('\n') + '\n');
  }
  writeFileAtomic(path.join(out, 'classes.json'), JSON.stringify(classesJson(base), null, 1) + '\n');
  writeFileAtomic(path.join(out, 'embeddings.json'), JSON.stringify(embeddingsJson(base)) + '\n');
  return { out, counts: { train: base.nTrain, val: base.nVal, test: base.nTest } };
}

async function writeImage(file: string, rgb: Uint8Array, size: number, format: SyntheticImageFormat): Promise<void> {
  const img = sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width: size, height: size, channels: 3 } });
  const bytes = format === 'png' ? await img.png().toBuffer() : await img.jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
  writeFileAtomic(file, bytes);
}

function classesJson(o: SyntheticDatasetOptions): object {
  const ids = Array.from({ length: BACKGROUND_LABEL_ID + 1 }, (_, i) => i);
  return {
    name: 'synthetic',
    generator: { seed: o.seed, size: o.size, nTrain: o.nTrain, nVal: o.nVal, nTest: o.nTest, sigma: o.sigma, background: o.background },
    background: o.background,
    backgroundLabelId: BACKGROUND_LABEL_ID,
    ignoreLabelId: IGNORE_INDEX,
    classes: ids
      .filter((id) => id !== BACKGROUND_LABEL_ID || o.background === 'class')
      .map((id) => ({ labelId: id, name: classNameOf(id), role: UNSEEN_LABEL_IDS.includes(id) ? 'unseen' : 'seen' })),
  };
}

function embeddingsJson(o: SyntheticDatasetOptions): object {
  const withBackground = o.background === 'class';
  const table = syntheticEmbeddings(o.seed, o.sigma, withBackground);
  const dim = RECIPE.embeddingDim;
  const count = table.length / dim;
  return {
    source: `zls synthetic benchmark: attribute embeddings, seed ${RECIPE.embeddingSeedBase} + ${o.seed}, sigma ${o.sigma}`,
    dim,
    count,
    normalized: true,
    classes: Array.from({ length: count }, (_, id) => ({ id, name: classNameOf(id), vector: Array.from(table.subarray(id * dim, (id + 1) * dim)) })),
  };
}
