import { readAssetJson } from '../assets/asset-files';

interface IdList {
  ids: number[];
  names: string[];
}

interface SplitsJson {
  spnet_voc12: { seen_cls: IdList; val_cls: IdList; novel_cls: IdList };
  spnet_cocostuff: { seen_cls: IdList; val_cls: IdList; novel_cls: IdList };
  zs3_pascal_voc_unseen_classes: { splits: Record<string, string[]> };
}

/** SPNet's seen / seen-val / novel label ids, in the files' order (which is the model's output order). */
export interface SpnetSplit {
  seen: readonly number[];
  seenVal: readonly number[];
  unseen: readonly number[];
}

function splits(): SplitsJson {
  return readAssetJson<SplitsJson>('splits/zero_label_splits.json');
}

export function spnetSplit(dataset: 'voc12' | 'cocostuff'): SpnetSplit {
  const s = dataset === 'voc12' ? splits().spnet_voc12 : splits().spnet_cocostuff;
  return { seen: s.seen_cls.ids, seenVal: s.val_cls.ids, unseen: s.novel_cls.ids };
}

export const ZS3_UNSEEN_COUNTS = [2, 4, 6, 8, 10] as const;
export type Zs3UnseenCount = (typeof ZS3_UNSEEN_COUNTS)[number];

/** ZS3Net's unseen class names for VOC with `count` unseen classes (the splits are nested). */
export function zs3VocUnseenNames(count: Zs3UnseenCount): readonly string[] {
  const names = splits().zs3_pascal_voc_unseen_classes.splits[`${count} unseen`];
  if (!names) throw new Error(`no ZS3 split with ${count} unseen classes in the shipped splits`);
  return names;
}
