import { readAssetJson } from '../assets/asset-files';

interface IdList {
  ids: number[];
  names: string[];
}

interface SpnetSplitJson {
  seen_cls: IdList;
  val_cls: IdList;
  novel_cls: IdList;
}

/** SPNet splits are keyed `spnet_<dataset type>`, so a dataset adds its split to the asset, not a branch here. */
interface SplitsJson {
  [spnetKey: `spnet_${string}`]: SpnetSplitJson | undefined;
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

export function spnetSplit(dataset: string): SpnetSplit {
  const s = splits()[`spnet_${dataset}`];
  if (!s) {
    const known = Object.keys(splits()).filter((k) => k.startsWith('spnet_')).map((k) => k.slice('spnet_'.length));
    throw new Error(`no SPNet split for dataset "${dataset}" in the shipped splits (splits/zero_label_splits.json has ${known.join(', ')})`);
  }
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
