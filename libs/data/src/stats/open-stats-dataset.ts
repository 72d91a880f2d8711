import * as fs from 'node:fs';
import * as path from 'node:path';
import { ZlsError, type Registries } from '@zls/core';
import type { UnseenPixelMode } from '../masking/label-tables';
import { masksUnseenByDefault } from '../datasets/default-masking';
import { RealSegDataset } from '../datasets/real-seg-dataset';
import { datasetFamily } from '../families/dataset-families';
import type { BackgroundMode } from '../splits/real-class-space';
import type { DataStatsReport } from './data-stats-report';

export interface StatsDatasetRequest {
  /** A dataset type with a registered family that reads files (sampleFiles and lists). */
  dataset: string;
  root: string;
  split: string;
  background?: BackgroundMode;
  unseenPixels?: UnseenPixelMode;
  maskUnseen?: boolean;
  /** Where the dataset's family is registered (default: this library's datasets). */
  registries?: Registries;
}

/**
 * The dataset as stats reads it: every listed sample (no 'drop-image' filtering, which stats counts itself), and
 * the sizes of every list next to it, as its family finds them. The synthetic benchmark is read from the VOC
 * layout `zls data synth` writes.
 */
export function openStatsDataset(request: StatsDatasetRequest): { dataset: RealSegDataset; lists: DataStatsReport['lists']; unseenPixels: UnseenPixelMode } {
  const family = datasetFamily(request.dataset, { background: request.background }, request.registries);
  if (!family.sampleFiles || !family.lists) throw new ZlsError(`dataset "${request.dataset}" is not read from files; its family has no sampleFiles and lists`);
  const maskUnseen = request.maskUnseen ?? masksUnseenByDefault(request.split);
  const unseenPixels = request.unseenPixels ?? family.defaultUnseenPixels;
  const files = family.sampleFiles(request.root, request.split);
  const lists = family.lists(request.root);
  const dataset = new RealSegDataset({
    name: request.dataset,
    split: request.split,
    classSpace: family.labels,
    files,
    // Stats reads every listed image and counts the ones 'drop-image' would leave out.
    unseenPixels: unseenPixels === 'drop-image' ? 'ignore' : unseenPixels,
    maskUnseen,
    skipBad: true,
  });
  return { dataset, lists, unseenPixels };
}

export function absolute(root: string): string {
  return fs.existsSync(root) ? fs.realpathSync(root) : path.resolve(root);
}
