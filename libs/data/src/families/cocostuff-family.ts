import { injectable } from 'tsyringe';
import { ZlsError, type DatasetFamily, type DatasetListSize, type DatasetSampleFiles } from '@zls/core';
import { cocostuffIds, cocostuffSampleFiles, cocostuffSplitNames } from '../datasets/cocostuff-layout';
import { shippedEmbeddingNames } from '../embeddings/shipped-embeddings';
import { cocostuffClassSpace } from '../splits/cocostuff-class-space';
import type { RealClassSpace } from '../splits/real-class-space';
import { DatasetFamilyOptions } from './dataset-family-options';

/** COCO-Stuff-164k: 171 classes (156 seen + 15 unseen), no background, split folders under images/ and annotations/. */
@injectable()
export class CocostuffFamily implements DatasetFamily {
  readonly labels: RealClassSpace;
  readonly backgroundLabelId = undefined;
  readonly embeddings = shippedEmbeddingNames('cocostuff');
  readonly defaultUnseenPixels = 'ignore';

  constructor(options: DatasetFamilyOptions) {
    if (options.background === 'class') throw new ZlsError('cocostuff has no background class; its unlabeled pixels (255) are always ignored');
    this.labels = cocostuffClassSpace();
  }

  lists(root: string): DatasetListSize[] {
    return cocostuffSplitNames(root).map((name) => ({ name, images: cocostuffIds(root, name).length, source: 'dataset' }));
  }

  sampleFiles(root: string, split: string): DatasetSampleFiles[] {
    return cocostuffSampleFiles(root, split, cocostuffIds(root, split));
  }
}
