import { Command, Option } from 'commander';
import { ZlsError } from '@zls/core';
import { CHECK_DATASETS, checkDataset, DEFAULT_CHECK_SAMPLE, PROTOCOL_SPLITS, type CheckDatasetName, type DataCheckReport } from '@zls/data';
import { collect } from './collect';

interface DataCheckFlags {
  dataset: CheckDatasetName;
  sample: string;
  all?: boolean;
  expect: string[];
  json?: boolean;
}

const protocolSizes = Object.entries(PROTOCOL_SPLITS)
  .map(([name, splits]) => `${name} ${splits.map((s) => `${s.split} ${s.images}`).join(' + ')}`)
  .join('; ');

/**
 * `zls data check ROOT --dataset voc12|cocostuff`: compares a folder with what the protocol reads (images per
 * split, an image and a label for every id; on a sample, readable files, label values and sizes). Exit code 1
 * when anything differs.
 */
export function dataCheckCommand(): Command {
  return new Command('check')
    .description("check a dataset folder against the protocol's splits, label values and sizes; exit 1 when something is off")
    .addHelpText('after', `\nProtocol images per split: ${protocolSizes}.`)
    .argument('<root>', 'dataset folder (VOCdevkit/VOC2012 or a parent of it; COCO-Stuff root with images/ and annotations/)')
    .addOption(new Option('--dataset <name>', 'dataset kind').choices([...CHECK_DATASETS]).makeOptionMandatory())
    .option('--sample <n>', 'label files (and their images) decoded per split', String(DEFAULT_CHECK_SAMPLE))
    .option('--all', 'decode every label file and image')
    .option('--expect <split=count>', "expected images of a split instead of the protocol's (repeatable)", collect, [])
    .option('--json', 'print the report as JSON')
    .action(async (root: string, flags: DataCheckFlags) => {
      const sample = Number(flags.sample);
      if (!Number.isInteger(sample) || sample < 0) throw new ZlsError(`--sample ${flags.sample}: expected a whole number ≥ 0`);
      const report = await checkDataset({ dataset: flags.dataset, root, sample, all: flags.all, expected: parseExpected(flags.expect) });
      process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : formatDataCheck(report));
      if (!report.ok) process.exitCode = 1;
    });
}

function parseExpected(pairs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of pairs) {
    const m = /^([^=]+)=(\d+)$/.exec(pair);
    if (!m) throw new ZlsError(`--expect ${pair}: expected SPLIT=COUNT, e.g. --expect val=1449`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

/** Per split: counts and what is off; then notes, then the one-line summary. */
export function formatDataCheck(r: DataCheckReport): string {
  const lines = [`${r.dataset} at ${r.root} (label values 0..${r.labelValues - 1} and 255)`];
  for (const s of r.splits) {
    const list = s.list ? ` (${s.list.source === 'shipped' ? 'shipped list' : 'list ' + s.list.file})` : '';
    lines.push(`  ${s.split}: ${s.listed} in the split${list}, ${s.expected} expected, ${s.complete} with image and label; ${s.checked} decoded`);
    for (const p of s.problems) lines.push(`    ${p}`);
    if (!s.problems.length) lines.push('    ok');
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  lines.push(r.summary);
  return lines.join('\n') + '\n';
}
