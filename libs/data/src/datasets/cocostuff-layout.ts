import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from '@zls/core';
import { readIdList } from './id-list';
import type { SampleFiles } from './sample-files';

/**
 * COCO-Stuff-164k layout: images/SPLIT/ID.jpg and annotations/SPLIT/ID.png (stuffthingmaps: values 0..181,
 * 255 unlabeled). Without a list file, the ids are the label PNGs found in annotations/SPLIT.
 */
export function cocostuffIds(root: string, split: string, listFile?: string): string[] {
  if (listFile) return readIdList(listFile);
  const dir = path.join(root, 'annotations', split);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    const splits = cocostuffSplitNames(root);
    throw new DataError(dir, `no annotation folder for split "${split}" (found: ${splits.join(', ') || 'none'}); expected ROOT/annotations/{train2017,val2017}`);
  }
  return names.filter((n) => n.toLowerCase().endsWith('.png')).map((n) => n.slice(0, -4)).sort();
}

export function cocostuffSplitNames(root: string): string[] {
  const dir = path.join(root, 'annotations');
  return fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort() : [];
}

export function cocostuffSampleFiles(root: string, split: string, ids: readonly string[]): SampleFiles[] {
  return ids.map((id) => ({
    id,
    image: path.join(root, 'images', split, `${id}.jpg`),
    label: path.join(root, 'annotations', split, `${id}.png`),
  }));
}
