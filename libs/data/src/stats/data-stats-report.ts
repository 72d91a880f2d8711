import type { ClassRole } from '@zls/core';
import type { UnseenPixelMode } from '../masking/label-tables';
import type { BadSample } from '../datasets/sample-files';

/** What `zls data stats` prints: plain JSON values only. */
export interface DataStatsReport {
  dataset: string;
  root: string;
  split: string;
  classSpace: { name: string; numClasses: number; seen: number; unseen: number; backgroundIsClass: boolean };
  masking: { maskUnseen: boolean; unseenPixels: UnseenPixelMode };
  /** Every image list found (dataset's own lists, and the lists zls ships where the dataset lacks them). */
  lists: { name: string; images: number; source: 'dataset' | 'shipped' }[];
  images: {
    listed: number;
    /** Decoded without error. */
    read: number;
    bad: number;
    /** Left out of training by 'drop-image' because they contain unseen pixels. */
    droppedForUnseen: number;
    /** Read and not dropped: what training sees. */
    used: number;
  };
  pixels: {
    before: number;
    after: number;
    ignoredBefore: number;
    ignoredAfter: number;
    ignoredShareBefore: number;
    ignoredShareAfter: number;
  };
  /** Per output class: pixels in the full labels (before) and in the training targets (after masking). */
  classes: { index: number; labelId: number; name: string; role: ClassRole; pixelsBefore: number; pixelsAfter: number; images: number }[];
  bad: BadSample[];
}
