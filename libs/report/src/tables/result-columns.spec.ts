import { Registries, type RunResult } from '@zls/core';
import { renderReport } from '../html/render-report';
import type { ReportData } from '../html/report-data';
import { resultsTableHtml } from '../html/results-table';
import { comparisonMarkdown } from './markdown-table';
import { resultRow, summariseRuns } from './summarise';
import { columnsOf } from './table-columns';

/** A finished run: headline scores and one round of pseudo-label quality. */
function result(seen: number, precisionOnUnseen: number | null): RunResult {
  const quality = { precisionOnUnseen, classes: [] } as unknown as RunResult['pseudoLabelQuality'][number]['quality'];
  return { name: 'r', seed: 0, configHash: 'h', headline: { seen, unseen: 20, harmonic: 30 }, stages: [], pseudoLabelQuality: [{ round: 1, quality }], seconds: 1 };
}

/** What a plugin's register() does: one more column, read from what every run's results hold. */
function registriesWithPrecision(): Registries {
  const registries = new Registries();
  registries.resultColumns.add({
    key: 'plPrecision',
    label: 'PL prec.',
    title: 'pseudo-label precision (unseen px)',
    value: (r) => {
      const p = r.pseudoLabelQuality.at(-1)?.quality.precisionOnUnseen;
      return typeof p === 'number' ? 100 * p : undefined;
    },
  });
  return registries;
}

function table(registries: Registries) {
  const columns = registries.resultColumns.list();
  const rows = [resultRow('ST', 0, result(60, 0.9), columns), resultRow('ST', 1, result(62, 0.8), columns), resultRow('SPNet', 0, result(58, null), columns)];
  return { columns, summary: summariseRuns(rows, columns) };
}

function reportData(summary: ReportData['table'], columns: ReportData['columns']): ReportData {
  return { title: 't', source: 's', table: summary, columns, notes: [], classes: [], perClassIoU: [], curves: [], quality: [], classQuality: [], examples: [] };
}

describe('a results column added at run time', () => {
  it('is a column of the Markdown comparison table, a dash where a method has no value', () => {
    const { columns, summary } = table(registriesWithPrecision());
    expect(comparisonMarkdown(summary, columns)).toBe(
      [
        '| method | seeds | S mIoU | U mIoU | hIoU | PL prec. |',
        '|---|---|---|---|---|---|',
        '| ST | 2 | 61.0 ± 1.0 | 20.0 ± 0.0 | 30.0 ± 0.0 | 85.0 ± 5.0 |',
        '| SPNet | 1 | 58.0 | 20.0 | 30.0 | – |',
        '',
      ].join('\n'),
    );
  });

  it('is a column of the HTML report, under its title, its best value in bold', async () => {
    const { columns, summary } = table(registriesWithPrecision());
    const html = await renderReport(reportData(summary, columns));
    expect(html).toContain('<th>harmonic</th><th>pseudo-label precision (unseen px)</th><th>seeds</th>');
    expect(html).toContain('<tr><td>ST</td><td class="best">61.0 ± 1.0</td><td class="best">20.0 ± 0.0</td><td class="best">30.0 ± 0.0</td><td class="best">85.0 ± 5.0</td><td>0, 1</td></tr>');
    expect(html).toContain('<tr><td>SPNet</td><td>58.0</td><td class="best">20.0</td><td class="best">30.0</td><td>–</td><td>0</td></tr>');
  });

  it('stays out of the tables of a registry without it', () => {
    const { columns, summary } = table(new Registries());
    expect(comparisonMarkdown(summary, columns).split('\n')[0]).toBe('| method | seeds | S mIoU | U mIoU | hIoU |');
    expect(resultsTableHtml(summary, columns)).not.toContain('PL prec');
  });

  it('is still shown, under its key, by a report that reads a saved table without the plugin loaded', () => {
    const { summary } = table(registriesWithPrecision());
    const saved = JSON.parse(JSON.stringify(summary)) as typeof summary;
    const columns = columnsOf(saved, new Registries().resultColumns.list());
    expect(columns.map((c) => c.key)).toEqual(['seen', 'unseen', 'harmonic', 'plPrecision']);
    expect(resultsTableHtml(saved, columns)).toContain('<th>plPrecision</th><th>seeds</th>');
    // The saved SPNet row holds null for the mean it had none of: a dash, as before saving.
    expect(resultsTableHtml(saved, columns)).toContain('<td class="best">30.0</td><td>–</td><td>0</td></tr>');
  });
});
