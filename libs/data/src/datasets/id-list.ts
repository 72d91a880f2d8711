import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from '@zls/core';

/**
 * Reads an image-id list: one id per line, or DeepLab-style lines "/JPEGImages/ID.jpg /SegmentationClassAug/ID.png"
 * (the id is the first path's base name). Blank lines are skipped; a repeated id is an error.
 */
export function readIdList(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new DataError(file, `cannot read the image list (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  const ids: string[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((line, i) => {
    const first = line.trim().split(/\s+/)[0];
    if (!first) return;
    const id = path.basename(first).replace(/\.(jpe?g|png)$/i, '');
    if (seen.has(id)) throw new DataError(`${file}:${i + 1}`, `image id "${id}" is listed twice`);
    seen.add(id);
    ids.push(id);
  });
  return ids;
}
