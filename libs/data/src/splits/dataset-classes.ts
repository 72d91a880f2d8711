import { IGNORE_INDEX } from '@zls/core';
import { readAssetJson } from '../assets/asset-files';

/** One class of a dataset's label space, before any split decides its role or output index. */
export interface DatasetClass {
  /** The value that stands for the class in the dataset's label maps. */
  labelId: number;
  name: string;
  /** Other spellings used by the shipped word vectors and split lists, for name matching. */
  aliases: readonly string[];
  /** True for COCO thing ids that COCO-Stuff never annotates. */
  neverAnnotated?: boolean;
}

interface VocClassesJson {
  classes: { id: number; name: string; spnet_labels_2_name?: string; zs3_name?: string }[];
  palette_256: [number, number, number][];
}

interface CocoLabelsJson {
  labels: { id: number; name: string; png_value_164k: number; unused: boolean; spnet_labels_2_name: string | null }[];
}

// Spellings that occur in ZS3Net's split lists but in none of the shipped class tables.
const VOC_EXTRA_ALIASES: Record<string, string[]> = {
  aeroplane: ['airplane'],
  tvmonitor: ['tv monitor'],
  diningtable: ['dining table'],
};

/** The 21 PASCAL VOC classes: label 0 background, 1..20 objects (255 = void is not a class). */
export function vocDatasetClasses(): DatasetClass[] {
  const json = readAssetJson<VocClassesJson>('classes/pascal_voc_classes.json');
  return json.classes.map((c) => ({
    labelId: c.id,
    name: c.name,
    aliases: unique([c.spnet_labels_2_name, c.zs3_name, ...(VOC_EXTRA_ALIASES[c.name] ?? [])], c.name),
  }));
}

export const VOC_BACKGROUND_LABEL_ID = 0;

/** The 182 COCO-Stuff-164k label values (official id − 1), the 11 never-annotated thing ids included. */
export function cocostuffDatasetClasses(): DatasetClass[] {
  const json = readAssetJson<CocoLabelsJson>('classes/cocostuff_labels.json');
  return json.labels
    .filter((l) => l.png_value_164k !== IGNORE_INDEX)
    .map((l) => ({
      labelId: l.png_value_164k,
      name: l.name,
      aliases: unique([l.spnet_labels_2_name ?? undefined], l.name),
      neverAnnotated: l.unused,
    }));
}

function unique(names: (string | undefined)[], canonical: string): string[] {
  return [...new Set(names.filter((n): n is string => !!n && n !== canonical))];
}
