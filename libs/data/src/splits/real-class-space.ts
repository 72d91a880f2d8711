import type { DatasetLabelSpace } from '@zls/core';
import type { TableClassSpace } from '../class-space/class-space';

/** A class space together with the label values its dataset may legitimately contain. */
export interface RealClassSpace extends DatasetLabelSpace {
  space: TableClassSpace;
  /**
   * Every label value the dataset defines, classes or not (VOC background when it is ignored, COCO's
   * never-annotated ids). IGNORE_INDEX (255) is always allowed and is not listed.
   */
  datasetLabelIds: readonly number[];
}

export type BackgroundMode = 'ignore' | 'class';
