import { DataError, IGNORE_INDEX, type LabelMap } from '@zls/core';
import type { LoadedSample } from '../datasets/load-sample';
import { loadSample } from '../datasets/load-sample';
import type { BadSample } from '../datasets/sample-files';
import type { DataStatsReport } from './data-stats-report';
import { absolute, openStatsDataset, type StatsDatasetRequest } from './open-stats-dataset';

export interface DataStatsRequest extends StatsDatasetRequest {
  /** Count unreadable samples and go on; otherwise the first one raises a DataError naming its file. */
  skipBad?: boolean;
  /** Samples decoded at once (sharp decodes on its own threads). */
  concurrency?: number;
}

/**
 * Reads every sample of a split, which validates the folder (missing files, size mismatches, values outside the
 * class space, corrupt files), and counts pixels per class before and after unseen masking.
 */
export async function computeDataStats(request: DataStatsRequest): Promise<DataStatsReport> {
  const { dataset, lists, unseenPixels } = openStatsDataset(request);
  const space = dataset.classSpace;
  const before = new Array<number>(space.numClasses).fill(0);
  const after = new Array<number>(space.numClasses).fill(0);
  const images = new Array<number>(space.numClasses).fill(0);
  const totals = { before: 0, after: 0, ignoredBefore: 0, ignoredAfter: 0, read: 0, dropped: 0 };
  const bad: BadSample[] = [];
  const dropImages = unseenPixels === 'drop-image' && dataset.maskUnseen;

  const count = (sample: LoadedSample) => {
    totals.read++;
    const present = countInto(sample.hidden, before);
    totals.before += sample.hidden.data.length;
    totals.ignoredBefore += countIgnored(sample.hidden);
    present.forEach((p, i) => (images[i] += p ? 1 : 0));
    if (dropImages && sample.hasUnseen) {
      totals.dropped++;
      return;
    }
    countInto(sample.target, after);
    totals.after += sample.target.data.length;
    totals.ignoredAfter += countIgnored(sample.target);
  };

  const files = dataset.listedFiles;
  const step = Math.max(1, request.concurrency ?? 4);
  for (let start = 0; start < files.length; start += step) {
    const batch = files.slice(start, start + step);
    const results = await Promise.all(
      batch.map((f) =>
        loadSample(f, dataset.tables).catch((e: unknown) => {
          if (!(e instanceof DataError) || !request.skipBad) throw e;
          bad.push({ id: f.id, file: e.file, problem: e.message });
          return undefined;
        }),
      ),
    );
    for (const r of results) if (r) count(r);
  }

  return {
    dataset: request.dataset,
    root: absolute(request.root),
    split: request.split,
    classSpace: {
      name: space.name,
      numClasses: space.numClasses,
      seen: space.seenIndices.length,
      unseen: space.unseenIndices.length,
      backgroundIsClass: space.backgroundIsClass,
    },
    masking: { maskUnseen: dataset.maskUnseen, unseenPixels },
    lists,
    images: { listed: files.length, read: totals.read, bad: bad.length, droppedForUnseen: totals.dropped, used: totals.read - totals.dropped },
    pixels: {
      before: totals.before,
      after: totals.after,
      ignoredBefore: totals.ignoredBefore,
      ignoredAfter: totals.ignoredAfter,
      ignoredShareBefore: share(totals.ignoredBefore, totals.before),
      ignoredShareAfter: share(totals.ignoredAfter, totals.after),
    },
    classes: space.classes.map((c) => ({
      index: c.index,
      labelId: c.labelId,
      name: c.name,
      role: c.role,
      pixelsBefore: before[c.index],
      pixelsAfter: after[c.index],
      images: images[c.index],
    })),
    bad,
  };
}

/** Adds each output index's pixel count to `counts`; returns which indices occur. */
function countInto(map: LabelMap, counts: number[]): boolean[] {
  const present = new Array<boolean>(counts.length).fill(false);
  for (const v of map.data) {
    if (v === IGNORE_INDEX) continue;
    counts[v]++;
    present[v] = true;
  }
  return present;
}

function countIgnored(map: LabelMap): number {
  let n = 0;
  for (const v of map.data) if (v === IGNORE_INDEX) n++;
  return n;
}

function share(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}
