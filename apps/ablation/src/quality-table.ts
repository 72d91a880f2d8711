import type { RunResult } from '@zls/engine';
import { pseudoLabelClasses, pseudoLabelIoU, type PseudoLabelClassCounts } from '@zls/report';

interface QualityNumbers {
  precision: number | null;
  precisionOnUnseen: number | null;
  recall: number | null;
  labelledCandidates: number | null;
  labelledNonUnseenCandidates: number | null;
}

const pct = (values: (number | null)[]): string => {
  const ok = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (ok.length === 0) return '–';
  const mean = (ok.reduce((a, b) => a + b, 0) / ok.length) * 100;
  if (ok.length === 1) return mean.toFixed(1);
  const std = Math.sqrt(ok.reduce((a, v) => a + (v * 100 - mean) ** 2, 0) / ok.length);
  return `${mean.toFixed(1)} ± ${std.toFixed(1)}`;
};

/**
 * Pseudo-label precision and coverage per method (with its selection rule) and round, mean ± std over seeds (the synthetic-benchmark
 * prototype's columns): precision over every labelled candidate, precision on unseen-object pixels, coverage
 * (correctly labelled unseen pixels / all unseen pixels), share of candidates labelled, share of
 * non-unseen candidates (background) labelled.
 */
export function qualityMarkdown(runs: readonly { method: string; result: RunResult }[]): string {
  const rows = new Map<string, QualityNumbers[]>();
  for (const { method, result } of runs) {
    for (const q of result.pseudoLabelQuality) {
      const key = `${method} | ${result.labeller ?? '–'} | ${q.round}`;
      if (!rows.has(key)) rows.set(key, []);
      (rows.get(key) as QualityNumbers[]).push(q.quality as QualityNumbers);
    }
  }
  const lines = [
    '| method | rule | round | precision (all labelled px) | precision (unseen px) | coverage of unseen px | candidates labelled | background labelled |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const [key, qs] of rows) {
    const col = (k: keyof QualityNumbers) => pct(qs.map((q) => q[k]));
    lines.push(`| ${key} | ${col('precision')} | ${col('precisionOnUnseen')} | ${col('recall')} | ${col('labelledCandidates')} | ${col('labelledNonUnseenCandidates')} |`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Per method, round and unseen class: precision (correct / assigned), coverage (correctly labelled pixels of
 * the class / all its pixels, the `recall` field, as in every table here) and IoU, mean ± std over seeds.
 * IoU is computed per seed from the counts, then averaged, like the other two columns.
 */
export function perClassQualityMarkdown(runs: readonly { method: string; result: RunResult }[]): string {
  const rows = new Map<string, PseudoLabelClassCounts[]>();
  for (const { method, result } of runs) {
    for (const q of result.pseudoLabelQuality) {
      for (const c of pseudoLabelClasses(q.quality)) {
        const key = `${method} | ${q.round} | ${c.name}`;
        if (!rows.has(key)) rows.set(key, []);
        (rows.get(key) as PseudoLabelClassCounts[]).push(c);
      }
    }
  }
  const lines = ['| method | round | unseen class | precision | coverage | IoU |', '|---|---|---|---|---|---|'];
  for (const [key, cs] of rows) {
    lines.push(`| ${key} | ${pct(cs.map((c) => c.precision))} | ${pct(cs.map((c) => c.recall))} | ${pct(cs.map(pseudoLabelIoU))} |`);
  }
  return lines.join('\n') + '\n';
}
