import type { ClassSpace } from './class-space';

/**
 * The registry kind of dataset families: `registries.of<DatasetFamily>(DATASET_FAMILY_KIND)`, one family under
 * each dataset type's own name, built from `{ type, background? }` (DatasetFamilyConfig).
 */
export const DATASET_FAMILY_KIND = 'dataset-family';

/** 'ignore': background is no class (read as 255); 'class': background is a seen class (STRICT's `--bkg`). */
export type BackgroundHandling = 'ignore' | 'class';

/** What training targets do with pixels of unseen classes (the data library's UnseenPixelMode). */
export type UnseenPixelHandling = 'ignore' | 'drop-image' | 'background';

/** A class space together with every label value its dataset's files may hold. */
export interface DatasetLabelSpace {
  readonly space: ClassSpace;
  /** Every label value the dataset defines, classes or not; IGNORE_INDEX (255) is always allowed and not listed. */
  readonly datasetLabelIds: readonly number[];
}

/** Where one sample's image and label map lie. */
export interface DatasetSampleFiles {
  readonly id: string;
  readonly image: string;
  readonly label: string;
}

/** One id list (split) of a dataset folder, or shipped with zls for it. */
export interface DatasetListSize {
  readonly name: string;
  readonly images: number;
  readonly source: 'dataset' | 'shipped';
}

/** What a family is built from: its dataset type and the background handling asked for. */
export interface DatasetFamilyConfig {
  type: string;
  background?: BackgroundHandling;
  [option: string]: unknown;
}

/**
 * What tools need to know about a dataset without opening one of its splits (`zls eval`, `zls data stats`, the
 * dataset contract): its protocol's default class space, its label values, its splits and its embeddings. A
 * library or plugin registers one beside each dataset, under the same type.
 */
export interface DatasetFamily {
  /** The protocol's default class space (VOC: SPNet 15 seen / 5 unseen) and the dataset's label values. */
  readonly labels: DatasetLabelSpace;
  /** The label value of background, when the dataset has one (ignored or a class); undefined otherwise. */
  readonly backgroundLabelId: number | undefined;
  /** Names the dataset's `embedding` option accepts besides a file (shipped sets); empty when it takes none. */
  readonly embeddings: readonly string[];
  /** The default of the dataset's `unseenPixels` for its default class space. */
  readonly defaultUnseenPixels: UnseenPixelHandling;
  /** The id lists (splits) of the dataset folder at `root`, and those shipped for it. Absent: not read from disk. */
  lists?(root: string): DatasetListSize[];
  /** Every sample split `split` lists, as files; absent: not read from disk. */
  sampleFiles?(root: string, split: string): DatasetSampleFiles[];
}
