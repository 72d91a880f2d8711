// Paths to the real VOC / COCO-Stuff samples in libs/data/fixtures (see fixtures/SOURCES.md); used by specs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const FIXTURES = path.resolve(__dirname, '..', 'fixtures');
export const VOC_FIXTURE_ROOT = path.join(FIXTURES, 'voc12', 'VOCdevkit', 'VOC2012');
export const VOC_2007_001420_LABEL = path.join(FIXTURES, 'voc12', 'extra', '2007_001420.png');
export const COCO_FIXTURE_ROOT = path.join(FIXTURES, 'cocostuff');
export const COCO_SAMPLE_ID = 'COCO_train2014_000000119938';

/** A fresh temporary folder, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `zls-${prefix}-`));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
