import * as fs from 'node:fs';
import * as path from 'node:path';
import { JsonlLog } from '@zls/engine';
import { readPseudoLabelQuality } from '@zls/core';
import { pseudoLabelIoU, type ClassIoU, type ClassQualityPoint, type CurvePoint, type QualityPoint, type ReportClass } from '@zls/report';
import { finalStageName, firstRunPerMethod, type RunFolder } from './run-folders';

interface MetricsClass {
  index: number;
  name: string;
  role: 'seen' | 'unseen' | string;
  iou: number | null;
}

function finalMetrics(run: RunFolder): MetricsClass[] | undefined {
  const file = path.join(run.folder, 'metrics', `${finalStageName(run.result)}.json`);
  if (!fs.existsSync(file)) return undefined;
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { classes: MetricsClass[] }).classes;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Classes (from the first run's metrics) and each method's per-class IoU, mean over its seeds, in percent. */
export function perClassNumbers(runs: readonly RunFolder[]): { classes: ReportClass[]; perClassIoU: ClassIoU[] } {
  const byMethod = new Map<string, MetricsClass[][]>();
  for (const run of runs) {
    const classes = finalMetrics(run);
    if (!classes) continue;
    byMethod.set(run.method, [...(byMethod.get(run.method) ?? []), classes]);
  }
  const first = [...byMethod.values()][0]?.[0] ?? [];
  const classes: ReportClass[] = first
    .filter((c) => c.role === 'seen' || c.role === 'unseen')
    .map((c) => ({ index: c.index, name: c.name, role: c.role as 'seen' | 'unseen' }));
  const perClassIoU: ClassIoU[] = [];
  for (const [method, seeds] of byMethod) {
    for (const c of classes) {
      const values = seeds.map((s) => s.find((x) => x.index === c.index)?.iou).filter((v): v is number => typeof v === 'number');
      if (values.length) perClassIoU.push({ method, className: c.name, role: c.role, iou: 100 * mean(values) });
    }
  }
  return { classes, perClassIoU };
}

/**
 * The loss of every stage of each method's first seed; a stage shared by methods (same key) is drawn once, and
 * a step logged twice (a resumed stage replays steps after its last checkpoint) keeps its last value.
 */
export function trainingCurves(runs: readonly RunFolder[]): CurvePoint[] {
  const drawn = new Set<string>();
  const points: CurvePoint[] = [];
  for (const run of firstRunPerMethod(runs)) {
    for (const stage of run.result.stages) {
      if (!stage.dir || drawn.has(stage.key)) continue;
      const records = JsonlLog.read(path.join(run.folder, stage.dir, 'train.jsonl'));
      if (!records.length) continue;
      drawn.add(stage.key);
      // A stage may log sub-stages (ZS3Net: generator, then classifier): one series each.
      const bySeries = new Map<string, Map<number, number>>();
      for (const r of records) {
        if (typeof r['step'] !== 'number' || typeof r['loss'] !== 'number') continue;
        const sub = typeof r['stage'] === 'string' && r['stage'].startsWith('zs3') ? r['stage'] : stage.name;
        const series = `${run.method} · ${sub}`;
        if (!bySeries.has(series)) bySeries.set(series, new Map());
        bySeries.get(series)?.set(r['step'], r['loss']);
      }
      for (const [series, byStep] of bySeries) {
        for (const [step, loss] of [...byStep].sort((a, b) => a[0] - b[0])) points.push({ series, step, loss });
      }
    }
  }
  return points;
}

/** Pseudo-label precision on unseen pixels and coverage per method and round, mean over seeds, in percent. */
export function qualityNumbers(runs: readonly RunFolder[]): QualityPoint[] {
  const groups = new Map<string, { method: string; round: number; precision: number[]; coverage: number[] }>();
  for (const run of runs) {
    for (const q of run.result.pseudoLabelQuality) {
      // Read again (idempotent): a result not read through readRunResult may still name coverage `recall`.
      const quality = readPseudoLabelQuality(q.quality, `${run.folder}: round ${q.round}`);
      if (quality.precisionOnUnseen === null || quality.coverage === null) continue;
      const key = `${run.method}\u0000${q.round}`;
      const g = groups.get(key) ?? { method: run.method, round: q.round, precision: [], coverage: [] };
      g.precision.push(100 * quality.precisionOnUnseen);
      g.coverage.push(100 * quality.coverage);
      groups.set(key, g);
    }
  }
  return [...groups.values()].map((g) => ({ method: g.method, round: g.round, precisionOnUnseen: mean(g.precision), coverage: mean(g.coverage) }));
}

/** Mean of the finite values, in percent; null when no seed has one. */
function meanPercent(values: readonly (number | null)[]): number | null {
  const ok = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return ok.length ? 100 * mean(ok) : null;
}

/**
 * Each unseen class's pseudo-label precision, coverage (correct / its pixels) and IoU per
 * method and round, mean over seeds, in percent. IoU is computed per seed from the counts, then averaged.
 */
export function perClassQualityNumbers(runs: readonly RunFolder[]): ClassQualityPoint[] {
  const groups = new Map<string, { method: string; round: number; className: string; precision: (number | null)[]; coverage: (number | null)[]; iou: (number | null)[] }>();
  for (const run of runs) {
    for (const q of run.result.pseudoLabelQuality) {
      for (const c of readPseudoLabelQuality(q.quality, `${run.folder}: round ${q.round}`).classes) {
        const key = `${run.method}\u0000${q.round}\u0000${c.index}`;
        const g = groups.get(key) ?? { method: run.method, round: q.round, className: c.name, precision: [], coverage: [], iou: [] };
        g.precision.push(c.precision);
        g.coverage.push(c.coverage);
        g.iou.push(pseudoLabelIoU(c));
        groups.set(key, g);
      }
    }
  }
  return [...groups.values()].map((g) => ({
    method: g.method,
    round: g.round,
    className: g.className,
    precision: meanPercent(g.precision),
    coverage: meanPercent(g.coverage),
    iou: meanPercent(g.iou),
  }));
}

/** What a reader needs to interpret the table: calibration choices, oracle marks. */
export function reportNotes(runs: readonly RunFolder[]): string[] {
  const notes: string[] = [];
  for (const run of runs) {
    const c = run.result.calibration;
    if (!c) continue;
    const oracle = c.rule === 'oracle-val' ? ' — an ORACLE choice: it looks at unseen labels' : '';
    notes.push(`${run.method}, seed ${run.seed}: γ = ${c.gamma} chosen by the ${c.rule} rule${oracle}`);
  }
  return notes;
}
