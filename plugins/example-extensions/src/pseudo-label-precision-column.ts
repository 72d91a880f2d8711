import type { ResultColumn } from '@zls/core';

/**
 * A results column: the precision (%) of the last self-training round's pseudo-labels against the hidden labels.
 * Runs without rounds have no value (the table prints "–"). Its number is already in every run's results, so
 * the column is all a plugin needs to add.
 */
export const PSEUDO_LABEL_PRECISION_COLUMN: ResultColumn = {
  key: 'pseudoLabelPrecision',
  label: 'PL prec.',
  title: 'pseudo-label precision (last round)',
  value: (run) => {
    const last = run.pseudoLabelQuality[run.pseudoLabelQuality.length - 1];
    const precision = last?.quality.precision;
    return precision === null || precision === undefined ? undefined : 100 * precision;
  },
};
