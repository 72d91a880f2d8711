import * as fs from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { IGNORE_INDEX, ZlsError, writeFileAtomic, type DatasetFamily } from '@zls/core';
import { datasetFamily, datasetFamilyNames, readLabelPng } from '@zls/data';
import {
  NAN_CONVENTIONS,
  formatMetricsTable,
  metricsReportToJson,
  scoreLabelFolders,
  type FolderScore,
  type MetricsReport,
  type NanConvention,
} from '@zls/metrics';

export interface EvalOptions {
  pred: string;
  gt: string;
  dataset: string;
  split: string;
  json?: string;
  background?: 'ignore' | 'class';
  convention?: NanConvention;
  /** Side of the square to warp both maps to (the SPNet/STRICT protocol uses 513); undefined: original size. */
  warp?: number;
  allowMissing?: boolean;
  /** File with one id per line (path relative to the ground-truth folder, without .png). */
  ids?: string;
}

/** What `zls eval --json` writes: the metrics report plus what was scored. NaN is written as null. */
export interface EvalJson extends MetricsReport {
  dataset: string;
  split: string;
  background: 'ignore' | 'class';
  predDir: string;
  gtDir: string;
  missing: string[];
  extraPredictions: number;
}

/**
 * Scores a folder of predicted label PNGs (palette or grey index PNGs holding dataset label ids) against the
 * ground truth, prints the per-class table and summary, and optionally writes the report as JSON.
 */
export async function runEval(options: EvalOptions, out: (text: string) => void = (t) => process.stdout.write(t), err: (text: string) => void = (t) => process.stderr.write(t)): Promise<FolderScore> {
  const datasets = datasetFamilyNames();
  if (!datasets.includes(options.dataset)) throw new ZlsError(`--dataset ${options.dataset}: expected one of ${datasets.join(', ')}`);
  const background = options.background ?? 'ignore';
  const family = datasetFamily(options.dataset, { background });
  const classSpace = family.labels.space;
  const result = await scoreLabelFolders({
    predDir: options.pred,
    gtDir: options.gt,
    classSpace,
    decode: (file) => readLabelPng(file),
    validLabelIds: evalLabelIds(family),
    ids: options.ids ? readIdList(options.ids) : undefined,
    allowMissing: options.allowMissing,
    convention: options.convention,
    warpSize: options.warp,
    includeConfusion: Boolean(options.json),
  });
  out(`${options.dataset} ${options.split}: ${options.pred} against ${options.gt}\n`);
  out(formatMetricsTable(result.report) + '\n');
  if (result.missing.length > 0) {
    const shown = result.missing.slice(0, 5).join(', ');
    err(`${result.missing.length} ground-truth file(s) had no prediction and were skipped: ${shown}${result.missing.length > 5 ? ', …' : ''}\n`);
  }
  if (result.extra.length > 0) err(`${result.extra.length} prediction file(s) have no ground truth among the scored ids and were not scored\n`);
  if (options.json) {
    const json: EvalJson = {
      ...result.report,
      dataset: options.dataset,
      split: options.split,
      background,
      predDir: options.pred,
      gtDir: options.gt,
      missing: result.missing,
      extraPredictions: result.extra.length,
    };
    writeFileAtomic(options.json, metricsReportToJson(json) + '\n');
    err(`report written to ${options.json}\n`);
  }
  return result;
}

/** Every id a scored label file may hold: the classes of this space, 255, and background (ignored or a class) when the dataset has one. */
function evalLabelIds(family: DatasetFamily): number[] {
  const ids = new Set<number>([IGNORE_INDEX, ...family.labels.space.classes.map((c) => c.labelId)]);
  if (family.backgroundLabelId !== undefined) ids.add(family.backgroundLabelId);
  return [...ids];
}

function readIdList(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ZlsError(`--ids ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  const ids = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.replace(/\.png$/, ''));
  if (ids.length === 0) throw new ZlsError(`--ids ${file}: no ids listed`);
  return ids;
}

function parseWarp(value: string | boolean): number {
  if (value === true) return 513;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

export function evalCommand(): Command {
  return new Command('eval')
    .description('score a folder of predicted label PNGs against ground truth: IoU per class, mIoU seen / unseen / harmonic')
    .requiredOption('--pred <dir>', 'predicted label PNGs (palette or grey index, dataset label ids), named like the ground truth')
    .requiredOption('--gt <dir>', 'ground-truth label PNGs; every .png below it is scored once')
    .requiredOption('--dataset <name>', `class space: ${datasetFamilyNames().join(' | ')}`)
    .requiredOption('--split <name>', 'name of the split being scored (recorded in the report)')
    .option('--json <file>', 'also write the report (per class, summary, confusion matrix) as JSON; NaN as null')
    .option('--background <mode>', "VOC / synthetic background: 'ignore' (SPNet/STRICT default) or 'class' (--bkg mode)", 'ignore')
    .option('--convention <name>', `classes absent from ground truth and prediction: ${NAN_CONVENTIONS.join(' | ')} (spnet: left out; zs3: count as 0)`, 'spnet')
    .option('--warp [size]', 'warp both maps to size × size (nearest) before counting, as the SPNet/STRICT test code does (default 513)', parseWarp)
    .option('--allow-missing', 'skip ground-truth files without a prediction (counted and listed) instead of failing')
    .option('--ids <file>', 'score only the ids listed in this file (one per line, relative to --gt, without .png)')
    .action(async (opts: Omit<EvalOptions, 'warp'> & { warp?: number | boolean }) => {
      if (opts.background !== 'ignore' && opts.background !== 'class') throw new ZlsError(`--background ${opts.background}: expected ignore or class`);
      if (!NAN_CONVENTIONS.includes(opts.convention as NanConvention)) {
        throw new ZlsError(`--convention ${opts.convention}: expected one of ${NAN_CONVENTIONS.join(', ')}`);
      }
      // `--warp` alone gives true (commander does not call the parser without a value)
      await runEval({ ...opts, warp: opts.warp === true ? 513 : opts.warp || undefined });
    });
}
