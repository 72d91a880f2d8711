import { injectable } from 'tsyringe';
import type { DatasetFamily, DatasetListSize, DatasetSampleFiles, UnseenPixelHandling } from '@zls/core';
import { defaultVocUnseenPixels } from '../datasets/voc12-dataset';
import { DatasetFamilyOptions } from '../families/dataset-family-options';
import { vocLayoutLists, vocLayoutSampleFiles } from '../families/voc12-family';
import type { RealClassSpace } from '../splits/real-class-space';
import { syntheticClassSpace } from './synthetic-class-space';
import { BACKGROUND_LABEL_ID } from './synthetic-recipe';

/** The synthetic benchmark: 20 classes (5 unseen), background 20; on disk in the VOC layout `zls data synth` writes. */
@injectable()
export class SyntheticFamily implements DatasetFamily {
  readonly labels: RealClassSpace;
  readonly backgroundLabelId = BACKGROUND_LABEL_ID;
  /** Its embeddings are generated from a seed; there is no `embedding` option. */
  readonly embeddings: readonly string[] = [];
  readonly defaultUnseenPixels: UnseenPixelHandling;

  constructor(options: DatasetFamilyOptions) {
    const space = syntheticClassSpace({ background: options.background ?? 'ignore' });
    this.labels = { space, datasetLabelIds: Array.from({ length: BACKGROUND_LABEL_ID + 1 }, (_, id) => id) };
    this.defaultUnseenPixels = defaultVocUnseenPixels('spnet', space.backgroundIsClass);
  }

  lists(root: string): DatasetListSize[] {
    return vocLayoutLists(root, []);
  }

  sampleFiles(root: string, split: string): DatasetSampleFiles[] {
    return vocLayoutSampleFiles(root, split);
  }
}
