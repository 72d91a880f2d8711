import { readPseudoLabelQuality, type ClassSpace, type EvaluationAccumulator, type MetricsService, type PseudoLabelQualityAccumulator } from '@zls/core';
import {
  Evaluator,
  PseudoLabelQuality,
  candidateMask,
  formatMetricsTable,
  formatPseudoLabelQualityTable,
  metricsReportToJson,
  type NanConvention,
} from '@zls/metrics';

const percent = (v: number) => v * 100;

/** The metrics library behind the engine's MetricsService interface. */
export function createMetricsService(options: { convention: NanConvention; warpSize?: number }): MetricsService {
  return {
    evaluator(classSpace: ClassSpace): EvaluationAccumulator {
      const evaluator = new Evaluator(classSpace, { convention: options.convention, warpSize: options.warpSize || undefined });
      return {
        add: (prediction, target, source) => void evaluator.add(prediction, target, source),
        headline: () => {
          const m = evaluator.report().mIoU;
          return { seen: percent(m.seen), unseen: percent(m.unseen), harmonic: percent(m.harmonic) };
        },
        json: () => JSON.parse(metricsReportToJson(evaluator.report())),
        table: () => formatMetricsTable(evaluator.report()),
      };
    },
    pseudoLabelQuality(classSpace: ClassSpace, round: number): PseudoLabelQualityAccumulator {
      const quality = new PseudoLabelQuality(classSpace);
      return {
        add: (pseudo, target, hidden) => quality.add(pseudo, candidateMask(target), hidden),
        // JSON has no NaN: undefined ratios are null in the results schema.
        json: () => readPseudoLabelQuality(JSON.parse(JSON.stringify(quality.report(round), (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)))),
        table: () => formatPseudoLabelQualityTable([quality.report(round)]),
      };
    },
  };
}
