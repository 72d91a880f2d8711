import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from '@zls/core';
import { dataAssetPath } from '../assets/asset-files';
import { readIdList } from './id-list';
import type { SampleFiles } from './sample-files';

export const VOC_LABEL_FOLDERS = ['auto', 'SegmentationClass', 'SegmentationClassAug'] as const;
export type VocLabelFolder = (typeof VOC_LABEL_FOLDERS)[number];

/** Accepts the VOC2012 folder itself, VOCdevkit, or a folder holding VOCdevkit. */
export function resolveVocRoot(root: string): string {
  const candidates = [root, path.join(root, 'VOC2012'), path.join(root, 'VOCdevkit', 'VOC2012')];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'JPEGImages')));
  if (!found) throw new DataError(root, 'not a PASCAL VOC folder: no JPEGImages in it, in VOC2012/ or in VOCdevkit/VOC2012/');
  return found;
}

/** The list file for a split: ImageSets/Segmentation/SPLIT.txt, else the copy shipped with zls (train_aug…). */
export function vocListFile(vocRoot: string, split: string): string {
  const own = path.join(vocRoot, 'ImageSets', 'Segmentation', `${split}.txt`);
  if (fs.existsSync(own)) return own;
  const shipped = dataAssetPath('voc12', 'lists', `${split}.txt`);
  if (fs.existsSync(shipped)) return shipped;
  throw new DataError(own, `no list for split "${split}" (lists here: ${vocListNames(vocRoot).join(', ') || 'none'}; shipped: ${shippedVocListNames().join(', ')})`);
}

export function vocListNames(vocRoot: string): string[] {
  const dir = path.join(vocRoot, 'ImageSets', 'Segmentation');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.txt')).map((f) => f.slice(0, -4)).sort() : [];
}

export function shippedVocListNames(): string[] {
  return fs.readdirSync(dataAssetPath('voc12', 'lists')).filter((f) => f.endsWith('.txt')).map((f) => f.slice(0, -4)).sort();
}

/** SegmentationClassAug (the index PNGs SPNet/DeepLab train on) when present, else SegmentationClass. */
export function vocLabelDir(vocRoot: string, folder: VocLabelFolder): string {
  if (folder !== 'auto') return path.join(vocRoot, folder);
  const aug = path.join(vocRoot, 'SegmentationClassAug');
  return fs.existsSync(aug) ? aug : path.join(vocRoot, 'SegmentationClass');
}

/** Images are JPEGImages/ID.jpg; a .png or .jpeg there is taken too (the synthetic benchmark writes lossless PNGs). */
export function vocSampleFiles(vocRoot: string, ids: readonly string[], labelDir: string): SampleFiles[] {
  const images = path.join(vocRoot, 'JPEGImages');
  return ids.map((id) => {
    const jpg = path.join(images, `${id}.jpg`);
    const image = fs.existsSync(jpg) ? jpg : ([`${id}.png`, `${id}.jpeg`].map((f) => path.join(images, f)).find((f) => fs.existsSync(f)) ?? jpg);
    return { id, image, label: path.join(labelDir, `${id}.png`) };
  });
}

export function vocIds(vocRoot: string, split: string, listFile?: string): string[] {
  return readIdList(listFile ?? vocListFile(vocRoot, split));
}
