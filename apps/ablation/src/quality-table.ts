import {
  formatStat,
  percentStat,
  readPseudoLabelQuality,
  type Column,
  type PseudoLabelClassQualityResult,
  type PseudoLabelQualityResult,
  type RunResult,
} from '@zls/core';
import { markdownTable, pseudoLabelIoU } from '@zls/report';

/** One number of a quality table: a fraction read from one seed's entry, printed in percent over seeds. */
interface QualityColumn<Entry> {
  key: string;
  label: string;
  value: (entry: Entry) => number | null;
}

/** The overall columns, as the synthetic-benchmark prototype printed them. */
export const QUALITY_COLUMNS: readonly QualityColumn<PseudoLabelQualityResult>[] = [
  { key: 'precision', label: 'precision (all labelled px)', value: (q) => q.precision },
  { key: 'precisionOnUnseen', label: 'precision (unseen px)', value: (q) => q.precisionOnUnseen },
  { key: 'coverage', label: 'coverage of unseen px', value: (q) => q.coverage },
  { key: 'labelledCandidates', label: 'candidates labelled', value: (q) => q.labelledCandidates },
  { key: 'labelledNonUnseenCandidates', label: 'background labelled', value: (q) => q.labelledNonUnseenCandidates },
];

/** Per unseen class; IoU is computed per seed from the counts, then averaged like the other two. */
export const CLASS_QUALITY_COLUMNS: readonly QualityColumn<PseudoLabelClassQualityResult>[] = [
  { key: 'precision', label: 'precision', value: (c) => c.precision },
  { key: 'coverage', label: 'coverage', value: (c) => c.coverage },
  { key: 'iou', label: 'IoU', value: pseudoLabelIoU },
];

/** The seeds' entries of one table row, under the row's leading cells (method, rule, round, …). */
interface Group<Entry> {
  cells: string[];
  entries: Entry[];
}

function groupTable<Entry>(leading: readonly string[], columns: readonly QualityColumn<Entry>[], groups: Iterable<Group<Entry>>): string {
  const all: Column<Group<Entry>>[] = [
    ...leading.map((label, i) => ({ key: label, label, format: (g: Group<Entry>) => g.cells[i] })),
    ...columns.map((c) => ({ key: c.key, label: c.label, format: (g: Group<Entry>) => formatStat(percentStat(g.entries.map(c.value))) })),
  ];
  return markdownTable(all, [...groups]);
}

function addTo<Entry>(groups: Map<string, Group<Entry>>, cells: string[], entry: Entry): void {
  const key = cells.join('\u0000');
  const group = groups.get(key) ?? { cells, entries: [] };
  group.entries.push(entry);
  groups.set(key, group);
}

/** Each round's quality in the current schema: a result not read through readRunResult (built in memory) may still say `recall`. */
function roundsOf(result: RunResult): { round: number; quality: PseudoLabelQualityResult }[] {
  return result.pseudoLabelQuality.map((q) => ({ round: q.round, quality: readPseudoLabelQuality(q.quality, `round ${q.round}`) }));
}

/**
 * Pseudo-label precision and coverage per method (with its selection rule) and round, mean ± std over seeds (the synthetic-benchmark
 * prototype's columns): precision over every labelled candidate, precision on unseen-object pixels, coverage
 * (correctly labelled unseen pixels / all unseen pixels), share of candidates labelled, share of
 * non-unseen candidates (background) labelled.
 */
export function qualityMarkdown(runs: readonly { method: string; result: RunResult }[]): string {
  const groups = new Map<string, Group<PseudoLabelQualityResult>>();
  for (const { method, result } of runs) {
    for (const q of roundsOf(result)) addTo(groups, [method, result.labeller ?? '–', String(q.round)], q.quality);
  }
  return groupTable(['method', 'rule', 'round'], QUALITY_COLUMNS, groups.values());
}

/**
 * Per method, round and unseen class: precision (correct / assigned), coverage (correctly labelled pixels of
 * the class / all its pixels) and IoU, mean ± std over seeds.
 */
export function perClassQualityMarkdown(runs: readonly { method: string; result: RunResult }[]): string {
  const groups = new Map<string, Group<PseudoLabelClassQualityResult>>();
  for (const { method, result } of runs) {
    for (const q of roundsOf(result)) {
      for (const c of q.quality.classes) addTo(groups, [method, String(q.round), c.name], c);
    }
  }
  return groupTable(['method', 'round', 'unseen class'], CLASS_QUALITY_COLUMNS, groups.values());
}
