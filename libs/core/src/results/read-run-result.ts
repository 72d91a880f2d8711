import { DataError } from '../errors';
import { readPseudoLabelQuality } from './pseudo-label-quality';
import type { RunResult } from './run-result';

/**
 * A run's results.json as parsed JSON, checked and brought to the current schema (older files name pseudo-label
 * coverage `recall`), so finished runs are read back rather than rerun.
 */
export function readRunResult(raw: unknown, source: string): RunResult {
  const doc = raw as Partial<RunResult> | null;
  if (doc === null || typeof doc !== 'object' || !Array.isArray(doc.stages) || typeof doc.headline !== 'object' || doc.headline === null) {
    throw new DataError(source, 'expected the results of a run (keys "stages", "headline")');
  }
  const rounds: unknown = doc.pseudoLabelQuality ?? [];
  if (!Array.isArray(rounds)) throw new DataError(source, `"pseudoLabelQuality" is ${JSON.stringify(rounds)}; expected a list`);
  return {
    ...(doc as RunResult),
    pseudoLabelQuality: rounds.map((q: { round?: unknown; quality?: unknown } | null, i) => {
      if (typeof q?.round !== 'number') throw new DataError(source, `pseudoLabelQuality[${i}] is ${JSON.stringify(q)}; expected { round, quality }`);
      return { round: q.round, quality: readPseudoLabelQuality(q.quality, `${source}: pseudoLabelQuality[${i}].quality`) };
    }),
  };
}
