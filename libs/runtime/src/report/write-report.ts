import * as path from 'node:path';
import { writeFileAtomic, type Registries } from '@zls/core';
import { renderReport, type ReportData } from '@zls/report';
import { examplePanels } from './report-examples';
import { perClassNumbers, perClassQualityNumbers, qualityNumbers, reportNotes, trainingCurves } from './report-numbers';
import { readReportSource } from './run-folders';

/** Gathers what a run or ablation folder holds into the report's data. */
export async function collectReport(dir: string, registries: Registries): Promise<ReportData> {
  const columns = registries.resultColumns.list();
  const source = readReportSource(dir, columns);
  const { classes, perClassIoU } = perClassNumbers(source.runs);
  return {
    title: source.title,
    source: path.resolve(dir),
    table: source.table,
    columns,
    notes: reportNotes(source.runs),
    classes,
    perClassIoU,
    curves: trainingCurves(source.runs),
    quality: qualityNumbers(source.runs),
    classQuality: perClassQualityNumbers(source.runs),
    examples: await examplePanels(source.runs, registries),
  };
}

/** `zls report DIR`: writes DIR/report.html (atomically) and returns its path. */
export async function writeReport(dir: string, registries: Registries): Promise<string> {
  const html = await renderReport(await collectReport(dir, registries));
  const file = path.join(dir, 'report.html');
  writeFileAtomic(file, html);
  return file;
}
