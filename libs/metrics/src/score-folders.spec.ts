import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LabelMap } from '@zls/core';
import { listPngIds, scoreLabelFolders } from './score-folders';
import { fakeClassSpace } from './testing/fake-class-space';

// A VOC-like space with dataset ids 0 = background (ignored here), 1 = a (seen), 2 = b (unseen).
const space = fakeClassSpace('voc-like', [
  { name: 'a', role: 'seen', labelId: 1 },
  { name: 'b', role: 'unseen', labelId: 2 },
]);

/** The spec's stand-in for the PNG decoder of @zls/data: files hold {height, width, data} as JSON. */
const decodeJson = (file: string): LabelMap => {
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  return { height: j.height, width: j.width, data: Uint8Array.from(j.data) };
};

let root: string;
const gtDir = () => path.join(root, 'gt');
const predDir = () => path.join(root, 'pred');
function put(dir: string, id: string, data: number[], height = 1, width = data.length) {
  const file = path.join(dir, `${id}.png`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ height, width, data }));
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'zls-metrics-'));
  put(gtDir(), 'x/img1', [0, 1, 1, 2]);
  put(gtDir(), 'x/img2', [2, 2, 255, 1]);
  put(predDir(), 'x/img1', [1, 1, 2, 2]);
  put(predDir(), 'x/img2', [2, 1, 0, 1]);
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('scoreLabelFolders', () => {
  it('scores every ground-truth file once, mapping dataset ids through the class space', async () => {
    const { report, missing, extra } = await scoreLabelFolders({ predDir: predDir(), gtDir: gtDir(), classSpace: space, decode: decodeJson, validLabelIds: [0] });
    expect(report.images).toBe(2);
    expect(missing).toEqual([]);
    expect(extra).toEqual([]);
    // scored pixels: img1 (a,a) (a,b) (b,b); img2 (b,b) (b,a) (a,a). Background and 255 are ignored.
    expect(report.pixels).toEqual({ total: 8, scored: 6, ignored: 2, outOfSpacePredictions: 0 });
    // a: TP 2, GT 3, pred 3 → 2/4; b: TP 2, GT 3, pred 3 → 2/4
    expect(report.classes.map((c) => c.iou)).toEqual([0.5, 0.5]);
  });

  it('fails on a missing prediction, naming it; with allowMissing it skips and lists it', async () => {
    put(gtDir(), 'x/img3', [1]);
    await expect(scoreLabelFolders({ predDir: predDir(), gtDir: gtDir(), classSpace: space, decode: decodeJson, validLabelIds: [0] })).rejects.toThrow(
      /pred\/x\/img3\.png: no prediction for ground truth .*gt\/x\/img3\.png/,
    );
    const r = await scoreLabelFolders({ predDir: predDir(), gtDir: gtDir(), classSpace: space, decode: decodeJson, validLabelIds: [0], allowMissing: true });
    expect(r.missing).toEqual(['x/img3']);
    expect(r.report.images).toBe(2);
  });

  it('fails on a size mismatch, naming both files', async () => {
    put(predDir(), 'x/img2', [2, 1, 0], 1, 3);
    await expect(scoreLabelFolders({ predDir: predDir(), gtDir: gtDir(), classSpace: space, decode: decodeJson, validLabelIds: [0] })).rejects.toThrow(
      /pred\/x\/img2\.png: prediction is 1×3, ground truth .*img2\.png is 1×4/,
    );
  });

  it('fails on a label id outside the dataset, naming the file and the first position', async () => {
    put(predDir(), 'x/img1', [1, 1, 37, 2], 2, 2);
    put(gtDir(), 'x/img1', [0, 1, 1, 2], 2, 2);
    await expect(scoreLabelFolders({ predDir: predDir(), gtDir: gtDir(), classSpace: space, decode: decodeJson, validLabelIds: [0] })).rejects.toThrow(
      /pred\/x\/img1\.png: 1 pixel\(s\) hold label ids outside the class space \(first: 37 at x=0, y=1\); expected 0\.\.2, 255/,
    );
  });

  it('fails when a scored pixel is predicted as a non-class id (background here), naming the file', async () => {
    put(predDir(), 'x/img1', [1, 0, 2, 2]);
    await expect(scoreLabelFolders({ predDir: predDir(), gtDir: gtDir(), classSpace: space, decode: decodeJson, validLabelIds: [0] })).rejects.toThrow(
      /pred\/x\/img1\.png: 1 pixel\(s\) scored against .* are predicted as a label id that is not a class of voc-like/,
    );
  });

  it('scores only listed ids, reports predictions without ground truth among them, rejects duplicates', async () => {
    const r = await scoreLabelFolders({ predDir: predDir(), gtDir: gtDir(), classSpace: space, decode: decodeJson, validLabelIds: [0], ids: ['x/img2'] });
    expect(r.report.images).toBe(1);
    expect(r.extra).toEqual(['x/img1']);
    await expect(
      scoreLabelFolders({ predDir: predDir(), gtDir: gtDir(), classSpace: space, decode: decodeJson, ids: ['x/img2', 'x/img2'] }),
    ).rejects.toThrow(/x\/img2 is listed twice/);
  });

  it('warp mode scores at S×S', async () => {
    const r = await scoreLabelFolders({ predDir: predDir(), gtDir: gtDir(), classSpace: space, decode: decodeJson, validLabelIds: [0], warpSize: 8 });
    expect(r.report.pixels.total).toBe(2 * 64);
    expect(r.report.warpSize).toBe(8);
  });

  it('lists .png files recursively, sorted, and names a missing folder', async () => {
    fs.writeFileSync(path.join(gtDir(), 'notes.txt'), 'x');
    expect(listPngIds(gtDir())).toEqual(['x/img1', 'x/img2']);
    await expect(scoreLabelFolders({ predDir: path.join(root, 'nope'), gtDir: gtDir(), classSpace: space, decode: decodeJson })).rejects.toThrow(
      /nope: prediction folder not found/,
    );
  });
});
