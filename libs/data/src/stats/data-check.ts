import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError, IGNORE_INDEX, ZlsError } from '@zls/core';
import { dataAssetsDir } from '../assets/asset-files';
import { cocostuffSampleFiles } from '../datasets/cocostuff-layout';
import { decodeRgbImage } from '../datasets/decode-rgb-image';
import { readIdList } from '../datasets/id-list';
import type { SampleFiles } from '../datasets/sample-files';
import { resolveVocRoot, vocLabelDir, vocListFile, vocSampleFiles } from '../datasets/voc12-layout';
import { readLabelPng } from '../labels/label-png';
import { absolute } from './open-stats-dataset';

export const CHECK_DATASETS = ['voc12', 'cocostuff'] as const;
export type CheckDatasetName = (typeof CHECK_DATASETS)[number];

/** The splits the paper's protocol reads and their sizes (docs/method.md §3: SPNet's train/test lists). */
export const PROTOCOL_SPLITS: Record<CheckDatasetName, readonly { split: string; images: number }[]> = {
  voc12: [
    { split: 'train_aug', images: 10582 },
    { split: 'val', images: 1449 },
  ],
  cocostuff: [
    { split: 'train2017', images: 118287 },
    { split: 'val2017', images: 5000 },
  ],
};

/** Label values are 0 … N−1 or 255: VOC background + 20 classes; COCO-Stuff's 182 ids (the 11 never-annotated included). */
export const PROTOCOL_LABEL_VALUES: Record<CheckDatasetName, number> = { voc12: 21, cocostuff: 182 };

/** Label files decoded per split (with their images) unless `all` is set. */
export const DEFAULT_CHECK_SAMPLE = 200;

/** Names kept per kind of problem. */
const FIRST = 5;

export interface DataCheckRequest {
  dataset: CheckDatasetName;
  root: string;
  /** Label files (and their images) decoded per split, spread evenly over it (default 200). */
  sample?: number;
  /** Decode every label file and image. */
  all?: boolean;
  /** Expected images per split instead of the protocol's (a small folder that should "match"). */
  expected?: Readonly<Record<string, number>>;
  /** Samples decoded at once. */
  concurrency?: number;
}

export interface NameList {
  count: number;
  first: string[];
}

export interface FileProblem {
  id: string;
  file: string;
  problem: string;
}

export interface DataCheckSplit {
  split: string;
  expected: number;
  /** Ids in the split's list (VOC), or with an image or a label file (COCO-Stuff, which has no list). */
  listed: number;
  /** Listed ids with both an image and a label file. */
  complete: number;
  /** VOC: the list read, and whether it is the folder's own or the copy zls ships. */
  list?: { file: string; source: 'dataset' | 'shipped' };
  imageDir: string;
  labelDir: string;
  missingImages: NameList;
  missingLabels: NameList;
  /** Samples decoded (label and image). */
  checked: number;
  unreadable: { count: number; first: FileProblem[] };
  outOfRange: { count: number; first: { id: string; file: string; values: number[] }[] };
  sizeMismatch: { count: number; first: FileProblem[] };
  /** One line per thing that differs from the protocol; empty when the split matches. */
  problems: string[];
}

export interface DataCheckReport {
  dataset: CheckDatasetName;
  root: string;
  ok: boolean;
  /** Label values allowed besides 255: 0 … labelValues − 1. */
  labelValues: number;
  splits: DataCheckSplit[];
  /** Remarks that are not failures by themselves. */
  notes: string[];
  summary: string;
}

interface SplitFiles {
  split: string;
  listed: number;
  files: SampleFiles[];
  missingImages: string[];
  missingLabels: string[];
  imageDir: string;
  labelDir: string;
  list?: DataCheckSplit['list'];
  problems: string[];
}

/**
 * Compares a dataset folder with what the protocol reads: the images of each split, an image and a label file for
 * every id, and (on a sample, or all) readable files, label values in range, and label maps of their image's size.
 * A folder that is not the layout at all is a DataError; everything else is reported.
 */
export async function checkDataset(request: DataCheckRequest): Promise<DataCheckReport> {
  const { dataset, root } = request;
  if (!(CHECK_DATASETS as readonly string[]).includes(dataset)) throw new ZlsError(`cannot check dataset "${dataset}"; expected one of ${CHECK_DATASETS.join(', ')}`);
  if (!fs.existsSync(root)) throw new DataError(root, 'no such folder');
  if (!fs.statSync(root).isDirectory()) throw new DataError(root, 'not a folder');
  const notes: string[] = [];
  const folder = dataset === 'voc12' ? resolveVocRoot(root) : root;
  const layout = dataset === 'voc12' ? vocSplits(folder, notes) : cocostuffSplits(folder);
  const labelValues = PROTOCOL_LABEL_VALUES[dataset];
  const valid = new Uint8Array(256);
  valid.fill(1, 0, labelValues);
  valid[IGNORE_INDEX] = 1;
  const protocol = PROTOCOL_SPLITS[dataset];
  for (const split of Object.keys(request.expected ?? {})) {
    if (!protocol.some((p) => p.split === split)) throw new ZlsError(`no split "${split}" to expect images of; ${dataset} splits: ${protocol.map((p) => p.split).join(', ')}`);
  }
  const splits: DataCheckSplit[] = [];
  for (const s of layout) {
    const expected = request.expected?.[s.split] ?? (protocol.find((p) => p.split === s.split)?.images as number);
    splits.push(await checkSplit(s, expected, valid, labelValues, request));
  }
  const ok = splits.every((s) => s.problems.length === 0);
  const where = `${dataset} at ${absolute(folder)}`;
  const summary = ok
    ? `${where}: matches the protocol (${splits.map((s) => `${s.split} ${s.complete}/${s.expected}`).join(', ')} images; ` +
      `${splits.reduce((n, s) => n + s.checked, 0)} samples decoded)`
    : `${where}: does not match the protocol: ${splits
        .filter((s) => s.problems.length)
        .map((s) => `${s.split}: ${s.problems.map(shortProblem).join(', ')}`)
        .join('; ')}`;
  return { dataset, root: absolute(folder), ok, labelValues, splits, notes, summary };
}

function vocSplits(vocRoot: string, notes: string[]): SplitFiles[] {
  const labelDir = vocLabelDir(vocRoot, 'auto');
  if (!fs.existsSync(labelDir)) throw new DataError(vocRoot, 'not a PASCAL VOC folder for segmentation: no SegmentationClassAug/ or SegmentationClass/ in it');
  if (path.basename(labelDir) === 'SegmentationClass') {
    notes.push('no SegmentationClassAug/: labels are read from SegmentationClass/, which lacks the SBD labels of most train_aug images');
  }
  return PROTOCOL_SPLITS.voc12.map(({ split }) => {
    const base = { split, imageDir: path.join(vocRoot, 'JPEGImages'), labelDir, missingImages: [], missingLabels: [] };
    let listFile: string;
    let ids: string[];
    try {
      listFile = vocListFile(vocRoot, split);
      ids = readIdList(listFile);
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
      return { ...base, listed: 0, files: [], problems: [`no usable list: ${e.message}`] };
    }
    const shipped = path.resolve(listFile).startsWith(path.resolve(dataAssetsDir()) + path.sep);
    if (shipped) notes.push(`no ImageSets/Segmentation/${split}.txt: the ${split} list shipped with zls is used, as the loader does`);
    const files = vocSampleFiles(vocRoot, ids, labelDir);
    return { ...base, listed: ids.length, list: { file: listFile, source: shipped ? 'shipped' : 'dataset' }, problems: [], ...splitByPresence(files) };
  });
}

function cocostuffSplits(root: string): SplitFiles[] {
  if (!fs.existsSync(path.join(root, 'images')) || !fs.existsSync(path.join(root, 'annotations'))) {
    throw new DataError(root, 'not a COCO-Stuff-164k folder: expected images/{train2017,val2017}/ID.jpg and annotations/{train2017,val2017}/ID.png in it');
  }
  return PROTOCOL_SPLITS.cocostuff.map(({ split }) => {
    const imageDir = path.join(root, 'images', split);
    const labelDir = path.join(root, 'annotations', split);
    const problems: string[] = [];
    const names = (dir: string, ext: string) => {
      if (fs.existsSync(dir)) return fs.readdirSync(dir).filter((n) => n.endsWith(ext)).map((n) => n.slice(0, -ext.length));
      problems.push(`${path.relative(root, dir)}/ is missing`);
      return [];
    };
    const images = new Set(names(imageDir, '.jpg'));
    const labels = new Set(names(labelDir, '.png'));
    const ids = [...new Set([...images, ...labels])].sort();
    const complete = ids.filter((id) => images.has(id) && labels.has(id));
    return {
      split,
      imageDir,
      labelDir,
      listed: ids.length,
      files: cocostuffSampleFiles(root, split, complete),
      missingImages: ids.filter((id) => !images.has(id)),
      missingLabels: ids.filter((id) => !labels.has(id)),
      problems,
    };
  });
}

function splitByPresence(all: SampleFiles[]): Pick<SplitFiles, 'files' | 'missingImages' | 'missingLabels'> {
  const files: SampleFiles[] = [];
  const missingImages: string[] = [];
  const missingLabels: string[] = [];
  for (const f of all) {
    const image = fs.existsSync(f.image);
    const label = fs.existsSync(f.label);
    if (!image) missingImages.push(f.id);
    if (!label) missingLabels.push(f.id);
    if (image && label) files.push(f);
  }
  return { files, missingImages, missingLabels };
}

async function checkSplit(s: SplitFiles, expected: number, valid: Uint8Array, labelValues: number, request: DataCheckRequest): Promise<DataCheckSplit> {
  const sample = request.all ? s.files.length : Math.min(s.files.length, Math.max(0, Math.floor(request.sample ?? DEFAULT_CHECK_SAMPLE)));
  // Evenly spread over the split, so a sample also sees the end of a sorted folder.
  const picked = Array.from({ length: sample }, (_, i) => s.files[Math.floor((i * s.files.length) / sample)]);
  const unreadable: FileProblem[] = [];
  const outOfRange: DataCheckSplit['outOfRange']['first'] = [];
  const sizeMismatch: FileProblem[] = [];
  const step = Math.max(1, request.concurrency ?? 4);
  for (let start = 0; start < picked.length; start += step) {
    await Promise.all(
      picked.slice(start, start + step).map(async (f) => {
        const [image, label] = await Promise.all([
          decodeRgbImage(f.image).catch((e: unknown) => problemOf(e, f.id, f.image, unreadable)),
          Promise.resolve()
            .then(() => readLabelPng(f.label))
            .catch((e: unknown) => problemOf(e, f.id, f.label, unreadable)),
        ]);
        if (label) {
          const seen = new Uint8Array(256);
          for (const v of label.data) seen[v] = 1;
          const bad = [...seen.keys()].filter((v) => seen[v] && !valid[v]);
          if (bad.length) outOfRange.push({ id: f.id, file: f.label, values: bad });
        }
        if (image && label && (image.width !== label.width || image.height !== label.height)) {
          sizeMismatch.push({ id: f.id, file: f.label, problem: `label ${label.width}×${label.height}, image ${image.width}×${image.height}` });
        }
      }),
    );
  }
  for (const list of [unreadable, outOfRange, sizeMismatch]) list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const problems = [...s.problems];
  if (s.listed !== expected) problems.push(`${s.listed} images in the split, expected ${expected}`);
  if (s.missingImages.length) problems.push(`${s.missingImages.length} images missing (${firstNames(s.missingImages)})`);
  if (s.missingLabels.length) problems.push(`${s.missingLabels.length} labels missing (${firstNames(s.missingLabels)})`);
  if (unreadable.length) problems.push(`${unreadable.length} unreadable files (${unreadable.slice(0, FIRST).map((u) => `${path.basename(u.file)}: ${u.problem}`).join('; ')})`);
  if (outOfRange.length) {
    const which = outOfRange.slice(0, FIRST).map((o) => `${o.id}: ${o.values.join(', ')}`).join('; ');
    problems.push(`${outOfRange.length} label files with values outside 0..${labelValues - 1} and 255 (${which})`);
  }
  if (sizeMismatch.length) problems.push(`${sizeMismatch.length} labels not the size of their image (${sizeMismatch.slice(0, FIRST).map((m) => `${m.id}: ${m.problem}`).join('; ')})`);
  return {
    split: s.split,
    expected,
    listed: s.listed,
    complete: s.files.length,
    ...(s.list && { list: s.list }),
    imageDir: s.imageDir,
    labelDir: s.labelDir,
    missingImages: names(s.missingImages),
    missingLabels: names(s.missingLabels),
    checked: picked.length,
    unreadable: { count: unreadable.length, first: unreadable.slice(0, FIRST) },
    outOfRange: { count: outOfRange.length, first: outOfRange.slice(0, FIRST) },
    sizeMismatch: { count: sizeMismatch.length, first: sizeMismatch.slice(0, FIRST) },
    problems,
  };
}

function problemOf(e: unknown, id: string, file: string, into: FileProblem[]): undefined {
  if (!(e instanceof DataError)) throw e;
  const prefix = `${e.file}: `;
  into.push({ id, file, problem: e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message });
  return undefined;
}

function names(list: string[]): NameList {
  return { count: list.length, first: list.slice(0, FIRST) };
}

function firstNames(list: string[]): string {
  return list.slice(0, FIRST).join(', ') + (list.length > FIRST ? ', …' : '');
}

/** "3 labels missing (a, b, c)" → "3 labels missing", for the one-line summary. */
function shortProblem(problem: string): string {
  return problem.replace(/ \(.*\)$/, '');
}
