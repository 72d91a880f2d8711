import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError, ZlsError, type ClassSpace, type LabelMap } from '@zls/core';
import { Evaluator } from './evaluator';
import { LabelIdMapping } from './label-id-mapping';
import type { MetricsReport } from './metrics-report';
import type { NanConvention } from './scores';

/** Reads one label PNG as stored (dataset label ids, not colours). */
export type LabelDecoder = (file: string) => LabelMap | Promise<LabelMap>;

export interface ScoreFoldersOptions {
  predDir: string;
  gtDir: string;
  classSpace: Pick<ClassSpace, 'name' | 'numClasses' | 'classes' | 'seenIndices' | 'unseenIndices' | 'outputIndexOf'>;
  decode: LabelDecoder;
  /** Ids that may appear in the files besides the classes and 255 (e.g. VOC background 0 when it is ignored). */
  validLabelIds?: Iterable<number>;
  /** Ids (relative paths without `.png`) to score; default: every `.png` under gtDir. */
  ids?: readonly string[];
  /** Skip (and list) ground-truth files without a prediction instead of failing. */
  allowMissing?: boolean;
  convention?: NanConvention;
  warpSize?: number;
  includeConfusion?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface FolderScore {
  report: MetricsReport;
  /** Ground-truth ids without a prediction file (only with allowMissing; otherwise that is an error). */
  missing: string[];
  /** Prediction files with no ground truth among the scored ids (not scored). */
  extra: string[];
}

/**
 * Scores a folder of predicted label PNGs against a folder of ground-truth PNGs. Files pair up by relative
 * path (`<dir>/<id>.png`); both hold dataset label ids, mapped to output indices through the class space.
 * Every ground-truth file is counted exactly once, at its own resolution unless warpSize is set.
 */
export async function scoreLabelFolders(options: ScoreFoldersOptions): Promise<FolderScore> {
  const { predDir, gtDir, classSpace, decode } = options;
  for (const [dir, what] of [
    [gtDir, 'ground-truth folder'],
    [predDir, 'prediction folder'],
  ] as const) {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new DataError(dir, `${what} not found or not a folder`);
  }
  const gtIds = listPngIds(gtDir);
  const ids = options.ids ? checkIds(options.ids, new Set(gtIds), gtDir) : gtIds;
  if (ids.length === 0) throw new DataError(gtDir, 'no ground-truth .png files to score');
  const predIds = new Set(listPngIds(predDir));

  const mapping = new LabelIdMapping(classSpace, options.validLabelIds);
  const evaluator = new Evaluator(classSpace, {
    convention: options.convention,
    warpSize: options.warpSize,
    outOfSpacePredictions: 'count',
  });
  const missing: string[] = [];
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k];
    const gtFile = path.join(gtDir, `${id}.png`);
    const predFile = path.join(predDir, `${id}.png`);
    if (!predIds.has(id)) {
      if (!options.allowMissing) {
        throw new DataError(predFile, `no prediction for ground truth ${gtFile} (use --allow-missing to skip and count such files)`);
      }
      missing.push(id);
      continue;
    }
    const gt = mapping.map(await decode(gtFile), gtFile);
    const pred = mapping.map(await decode(predFile), predFile);
    if (!options.warpSize && (pred.height !== gt.height || pred.width !== gt.width)) {
      throw new DataError(predFile, `prediction is ${pred.height}×${pred.width}, ground truth ${gtFile} is ${gt.height}×${gt.width}`);
    }
    const outside = evaluator.add(pred, gt, predFile);
    if (outside > 0) {
      throw new DataError(
        predFile,
        `${outside} pixel(s) scored against ${gtFile} are predicted as a label id that is not a class of ${classSpace.name} ` +
          `(classes: ${classSpace.classes.length} ids; 255 or an ignored id is accepted only where the ground truth is ignored)`,
      );
    }
    options.onProgress?.(k + 1, ids.length);
  }
  if (evaluator.images === 0) throw new DataError(predDir, `none of the ${ids.length} ground-truth files has a prediction`);
  const scored = new Set(ids);
  const extra = [...predIds].filter((id) => !scored.has(id)).sort();
  return { report: evaluator.report({ includeConfusion: options.includeConfusion }), missing, extra };
}

/** Relative paths (forward slashes, no `.png`) of every .png under dir, sorted. */
export function listPngIds(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile() && /\.png$/.test(entry.name)) out.push(child.slice(0, -4));
    }
  };
  walk('');
  return out.sort();
}

function checkIds(ids: readonly string[], available: Set<string>, gtDir: string): string[] {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new ZlsError(`id list: ${id} is listed twice (every image is scored exactly once)`);
    seen.add(id);
    if (!available.has(id)) throw new DataError(path.join(gtDir, `${id}.png`), 'listed id has no ground-truth file');
  }
  return [...ids];
}
