import { Command, Option } from 'commander';
import { computeDataStats, datasetFamilyNames, UNSEEN_PIXEL_MODES, type DataStatsReport, type UnseenPixelMode } from '@zls/data';

interface DataStatsFlags {
  dataset: string;
  split: string;
  json?: boolean;
  skipBad?: boolean;
  background?: 'ignore' | 'class';
  unseenPixels?: UnseenPixelMode;
}

/**
 * `zls data stats ROOT --dataset voc12|cocostuff|synthetic --split NAME [--json]`: reads every sample of the split
 * (which validates the folder) and reports images per list and pixels per class before and after unseen masking.
 */
export function dataStatsCommand(): Command {
  return new Command('stats')
    .description('validate a dataset folder and count images per list and pixels per class before/after unseen masking')
    .argument('<root>', 'dataset folder (VOCdevkit/VOC2012 or a parent of it; COCO-Stuff root with images/ and annotations/)')
    .addOption(new Option('--dataset <name>', 'dataset kind').choices(datasetFamilyNames()).makeOptionMandatory())
    .requiredOption('--split <name>', 'image list (voc12: train, val, trainval, train_aug; cocostuff: train2017, val2017)')
    .addOption(new Option('--background <mode>', 'VOC/synthetic background: ignored, or a seen class (--bkg)').choices(['ignore', 'class']))
    .addOption(new Option('--unseen-pixels <mode>', 'what training targets do with unseen pixels').choices([...UNSEEN_PIXEL_MODES]))
    .option('--skip-bad', 'count unreadable samples and go on instead of stopping at the first')
    .option('--json', 'print the report as JSON')
    .action(async (root: string, flags: DataStatsFlags) => {
      const report = await computeDataStats({
        dataset: flags.dataset,
        root,
        split: flags.split,
        skipBad: flags.skipBad,
        background: flags.background,
        unseenPixels: flags.unseenPixels,
      });
      process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : formatDataStats(report));
    });
}

/** A short human-readable summary; --json has everything. */
export function formatDataStats(r: DataStatsReport): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  const lines = [
    `${r.dataset} ${r.split} at ${r.root}`,
    `class space ${r.classSpace.name}: ${r.classSpace.numClasses} classes (${r.classSpace.seen} seen, ${r.classSpace.unseen} unseen)` +
      `; unseen masking ${r.masking.maskUnseen ? `on (${r.masking.unseenPixels})` : 'off'}`,
    `lists: ${r.lists.map((l) => `${l.name} ${l.images}${l.source === 'shipped' ? ' (shipped)' : ''}`).join(', ')}`,
    `images: ${r.images.listed} listed, ${r.images.read} read, ${r.images.bad} bad, ${r.images.droppedForUnseen} dropped for unseen pixels`,
    `ignored pixels: ${pct(r.pixels.ignoredShareBefore)} before masking, ${pct(r.pixels.ignoredShareAfter)} after`,
    '',
    'index  label  role    pixels before  pixels after  images  name',
  ];
  for (const c of r.classes) {
    lines.push(
      `${String(c.index).padStart(5)}  ${String(c.labelId).padStart(5)}  ${c.role.padEnd(6)}  ${String(c.pixelsBefore).padStart(13)}  ${String(c.pixelsAfter).padStart(12)}  ${String(c.images).padStart(6)}  ${c.name}`,
    );
  }
  for (const b of r.bad) lines.push(`bad: ${b.problem}`);
  return lines.join('\n') + '\n';
}
