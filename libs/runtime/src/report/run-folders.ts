import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError, HEADLINE_COLUMNS, readRunResult, type ResultColumn, type RunResult } from '@zls/core';
import { resultRow, summariseRuns, type MethodSummary } from '@zls/report';

/** A finished run as the report sees it: its folder, its method label and what it wrote. */
export interface RunFolder {
  method: string;
  seed: number;
  folder: string;
  result: RunResult;
}

export interface ReportSource {
  title: string;
  table: MethodSummary[];
  runs: RunFolder[];
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new DataError(file, err.code === 'ENOENT' ? 'not found' : `not valid JSON (${err.message.split('\n')[0]})`);
  }
}

/**
 * Reads a run folder (results.json with `stages`) or an ablation folder (results.json with `table` and `runs`)
 * into the runs the report draws from.
 */
export function readReportSource(dir: string, columns: readonly ResultColumn[] = HEADLINE_COLUMNS): ReportSource {
  const file = path.join(dir, 'results.json');
  if (!fs.existsSync(file)) throw new DataError(dir, 'no results.json: expected the folder of a finished run (zls train) or of an ablation (zls-ablation)');
  const doc = readJson(file) as Record<string, unknown>;
  if (Array.isArray(doc['runs']) && Array.isArray(doc['table'])) {
    const runs = (doc['runs'] as { method: string; seed: number; folder: string; result: unknown }[]).map((r, i) => ({
      method: r.method,
      seed: r.seed,
      folder: path.join(dir, r.folder),
      result: readRunResult(r.result, `${file}: runs[${i}].result`),
    }));
    return { title: `Ablation "${String(doc['name'])}"`, table: doc['table'] as MethodSummary[], runs };
  }
  if (Array.isArray(doc['stages']) && doc['headline']) {
    const result = readRunResult(doc, file);
    const table = summariseRuns([resultRow(result.name, result.seed, result, columns)], columns);
    return { title: `Run "${result.name}"`, table, runs: [{ method: result.name, seed: result.seed, folder: dir, result }] };
  }
  throw new DataError(file, 'expected the results of a run (keys "stages", "headline") or of an ablation (keys "table", "runs")');
}

/** The first seed's run of each method, in table order: where curves and examples come from. */
export function firstRunPerMethod(runs: readonly RunFolder[]): RunFolder[] {
  const seen = new Map<string, RunFolder>();
  for (const run of runs) if (!seen.has(run.method)) seen.set(run.method, run);
  return [...seen.values()];
}

export function finalStageName(result: RunResult): string {
  return result.stages[result.stages.length - 1]?.name ?? 'spnet';
}
