import { ZlsError } from '@zls/core';
import type { ConfusionMatrixJson } from './confusion-matrix';
import type { ClassScore, NanConvention, SplitScore } from './scores';

/**
 * Everything one evaluation produced, as plain data. Metric values are fractions in [0, 1] (tables print
 * percentages). NaN means "undefined" (no class of that group had ground truth or predictions); in JSON it is
 * written as null (`metricsReportToJson`) and read back as NaN (`metricsReportFromJson`).
 */
export interface MetricsReport {
  classSpace: string;
  convention: NanConvention;
  /** Side of the square both maps were warped to before counting, or null for the original label resolution. */
  warpSize: number | null;
  images: number;
  pixels: {
    /** All ground-truth pixels seen (after warping). */
    total: number;
    /** Pixels whose ground truth is a class. */
    scored: number;
    /** Pixels whose ground truth is not a class (255; VOC background when it is not a class). */
    ignored: number;
    /** Scored pixels whose prediction was not a class (counted as misses of their ground-truth class). */
    outOfSpacePredictions: number;
  };
  mIoU: SplitScore;
  pixelAccuracy: SplitScore;
  meanAccuracy: SplitScore;
  fwIoU: SplitScore;
  classes: ClassScore[];
  /** The raw counts, when asked for: lets reports be merged and recomputed later. */
  confusion?: ConfusionMatrixJson;
}

/** JSON text of a report, NaN written as null. */
export function metricsReportToJson(report: MetricsReport, indent = 2): string {
  return JSON.stringify(report, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), indent);
}

const SPLIT_KEYS = ['mIoU', 'pixelAccuracy', 'meanAccuracy', 'fwIoU'] as const;
const CLASS_METRIC_KEYS = ['iou', 'accuracy', 'precision'] as const;

/** Parses `metricsReportToJson` output, turning the nulls of metric values back into NaN. */
export function metricsReportFromJson(text: string, source = 'metrics report'): MetricsReport {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ZlsError(`${source}: not JSON (${(e as Error).message})`);
  }
  const r = raw as MetricsReport;
  if (typeof r !== 'object' || r === null || !Array.isArray(r.classes) || typeof r.classSpace !== 'string') {
    throw new ZlsError(`${source}: not a metrics report (expected classSpace and classes)`);
  }
  const num = (v: unknown) => (v === null ? NaN : (v as number));
  for (const key of SPLIT_KEYS) {
    const s = r[key];
    if (typeof s !== 'object' || s === null) throw new ZlsError(`${source}: missing ${key}`);
    r[key] = { all: num(s.all), seen: num(s.seen), unseen: num(s.unseen), harmonic: num(s.harmonic) };
  }
  for (const c of r.classes) for (const key of CLASS_METRIC_KEYS) c[key] = num(c[key]);
  return r;
}
