import { injectable } from 'tsyringe';
import type { DatasetFamily, DatasetListSize, DatasetSampleFiles, UnseenPixelHandling } from '@zls/core';
import { dataAssetPath } from '../assets/asset-files';
import { readIdList } from '../datasets/id-list';
import { defaultVocUnseenPixels } from '../datasets/voc12-dataset';
import { resolveVocRoot, shippedVocListNames, vocIds, vocLabelDir, vocListFile, vocListNames, vocSampleFiles } from '../datasets/voc12-layout';
import { shippedEmbeddingNames } from '../embeddings/shipped-embeddings';
import { VOC_BACKGROUND_LABEL_ID } from '../splits/dataset-classes';
import type { RealClassSpace } from '../splits/real-class-space';
import { vocClassSpace } from '../splits/voc-class-space';
import { DatasetFamilyOptions } from './dataset-family-options';

/** The sizes of the lists in a VOC-layout folder, and of those shipped (train_aug…) when `shipped` is given. */
export function vocLayoutLists(root: string, shipped: readonly string[]): DatasetListSize[] {
  const vocRoot = resolveVocRoot(root);
  const own = vocListNames(vocRoot);
  return [
    ...own.map((name) => ({ name, images: readIdList(vocListFile(vocRoot, name)).length, source: 'dataset' as const })),
    ...shipped
      .filter((name) => !own.includes(name))
      .map((name) => ({ name, images: readIdList(dataAssetPath('voc12', 'lists', `${name}.txt`)).length, source: 'shipped' as const })),
  ];
}

/** Every sample a VOC-layout folder's list names, labels from SegmentationClassAug when present. */
export function vocLayoutSampleFiles(root: string, split: string): DatasetSampleFiles[] {
  const vocRoot = resolveVocRoot(root);
  return vocSampleFiles(vocRoot, vocIds(vocRoot, split), vocLabelDir(vocRoot, 'auto'));
}

/** PASCAL VOC 2012: SPNet 15/5 by default, background 0 ignored or a class, the VOCdevkit layout. */
@injectable()
export class Voc12Family implements DatasetFamily {
  readonly labels: RealClassSpace;
  readonly backgroundLabelId = VOC_BACKGROUND_LABEL_ID;
  readonly embeddings = shippedEmbeddingNames('voc12');
  readonly defaultUnseenPixels: UnseenPixelHandling;

  constructor(options: DatasetFamilyOptions) {
    this.labels = vocClassSpace({ classSplit: 'spnet', background: options.background ?? 'ignore' });
    this.defaultUnseenPixels = defaultVocUnseenPixels('spnet', this.labels.space.backgroundIsClass);
  }

  lists(root: string): DatasetListSize[] {
    return vocLayoutLists(root, shippedVocListNames());
  }

  sampleFiles(root: string, split: string): DatasetSampleFiles[] {
    return vocLayoutSampleFiles(root, split);
  }
}
