import * as fs from 'node:fs';
import * as path from 'node:path';
import type { UnseenPixelMode } from '../masking/label-tables';
import { cocostuffIds, cocostuffSampleFiles, cocostuffSplitNames } from '../datasets/cocostuff-layout';
import { masksUnseenByDefault } from '../datasets/default-masking';
import { readIdList } from '../datasets/id-list';
import { RealSegDataset } from '../datasets/real-seg-dataset';
import { defaultVocUnseenPixels } from '../datasets/voc12-dataset';
import { resolveVocRoot, shippedVocListNames, vocListFile, vocIds, vocLabelDir, vocListNames, vocSampleFiles } from '../datasets/voc12-layout';
import { dataAssetPath } from '../assets/asset-files';
import { datasetRealClassSpace, type DatasetName } from '../splits/dataset-class-space';
import type { BackgroundMode } from '../splits/real-class-space';
import type { DataStatsReport } from './data-stats-report';

export interface StatsDatasetRequest {
  dataset: DatasetName;
  root: string;
  split: string;
  background?: BackgroundMode;
  unseenPixels?: UnseenPixelMode;
  maskUnseen?: boolean;
}

/**
 * The dataset as stats reads it: every listed sample (no 'drop-image' filtering, which stats counts itself), and
 * the sizes of every list next to it. The synthetic benchmark is read from the VOC layout `zls data synth` writes.
 */
export function openStatsDataset(request: StatsDatasetRequest): { dataset: RealSegDataset; lists: DataStatsReport['lists']; unseenPixels: UnseenPixelMode } {
  const classSpace = datasetRealClassSpace(request.dataset, { background: request.background });
  const maskUnseen = request.maskUnseen ?? masksUnseenByDefault(request.split);
  const unseenPixels = request.unseenPixels ?? (request.dataset === 'cocostuff' ? 'ignore' : defaultVocUnseenPixels('spnet', classSpace.space.backgroundIsClass));
  let files;
  let lists: DataStatsReport['lists'];
  if (request.dataset === 'cocostuff') {
    files = cocostuffSampleFiles(request.root, request.split, cocostuffIds(request.root, request.split));
    lists = cocostuffSplitNames(request.root).map((name) => ({ name, images: cocostuffIds(request.root, name).length, source: 'dataset' }));
  } else {
    const vocRoot = resolveVocRoot(request.root);
    files = vocSampleFiles(vocRoot, vocIds(vocRoot, request.split), vocLabelDir(vocRoot, 'auto'));
    const own = vocListNames(vocRoot);
    lists = [
      ...own.map((name) => ({ name, images: readIdList(vocListFile(vocRoot, name)).length, source: 'dataset' as const })),
      ...(request.dataset === 'voc12' ? shippedVocListNames() : [])
        .filter((name) => !own.includes(name))
        .map((name) => ({ name, images: readIdList(dataAssetPath('voc12', 'lists', `${name}.txt`)).length, source: 'shipped' as const })),
    ];
  }
  const dataset = new RealSegDataset({
    name: request.dataset,
    split: request.split,
    classSpace,
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
