import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { metricsReportFromJson } from '@zls/metrics';
import { evalCommand, runEval, type EvalOptions } from './eval.command';

const root = path.resolve(__dirname, '../../../..');
const vocFixtures = path.join(root, 'libs/data/fixtures/voc12/VOCdevkit/VOC2012');

/** Minimal 8-bit PNG writer (grey index, or palette with a 256-entry grey palette), for writing test masks. */
function pngBytes(values: number[], height: number, width: number, palette: boolean): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = palette ? 3 : 0;
  const rows = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rows[y * (width + 1) + 1 + x] = values[y * width + x];
  const chunks = [chunk('IHDR', ihdr)];
  if (palette) chunks.push(chunk('PLTE', Buffer.from(Array.from({ length: 768 }, (_, i) => Math.floor(i / 3)))));
  chunks.push(chunk('IDAT', zlib.deflateSync(rows)), chunk('IEND', Buffer.alloc(0)));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), ...chunks]);
}

let dir: string;
const gtDir = () => path.join(dir, 'gt');
const predDir = () => path.join(dir, 'pred');
function writeMask(folder: string, id: string, values: number[], height: number, width: number, palette: boolean) {
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, `${id}.png`), pngBytes(values, height, width, palette));
}

// VOC ids: 0 background (ignored by default), 1 aeroplane, 2 bicycle (seen), 16 potted plant (unseen), 255 void.
const GT = [0, 1, 1, 16, 16, 16, 255, 2];
const PRED = [5, 1, 16, 16, 16, 1, 0, 2];

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, write: (t: string) => out.push(t), writeErr: (t: string) => err.push(t) };
}
async function run(options: Partial<EvalOptions>) {
  const c = capture();
  const result = await runEval({ pred: predDir(), gt: gtDir(), dataset: 'voc12', split: 'val', ...options }, c.write, c.writeErr);
  return { result, stdout: c.out.join(''), stderr: c.err.join('') };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zls-eval-'));
  writeMask(gtDir(), 'a', GT, 2, 4, true);
  writeMask(predDir(), 'a', PRED, 2, 4, false);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('zls eval: hand-computed answers on written PNGs', () => {
  it('palette ground truth against grey predictions, background ignored', async () => {
    const { result, stdout } = await run({});
    // scored pairs: (1,1) (1,16) (16,16) (16,16) (16,1) (2,2). aeroplane 1/3, bicycle 1, potted plant 2/4.
    const byId = Object.fromEntries(result.report.classes.map((c) => [c.labelId, c]));
    expect(byId[1].iou).toBeCloseTo(1 / 3, 15);
    expect(byId[2].iou).toBe(1);
    expect(byId[16]).toMatchObject({ role: 'unseen', iou: 0.5 });
    expect(result.report.pixels).toEqual({ total: 8, scored: 6, ignored: 2, outOfSpacePredictions: 0 });
    expect(stdout).toMatch(/\n\d+\s+aeroplane\s+seen\s+33\.33\s/);
    expect(stdout).toMatch(new RegExp(`\\n\\d+\\s+${byId[16].name}\\s+unseen\\s+50\\.00\\s`));
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('mIoU seen 66.67 | unseen 50.00 | harmonic 57.14');
  });

  it('ZS3 convention counts absent classes as 0', async () => {
    const { result } = await run({ convention: 'zs3' });
    expect(result.report.mIoU.seen).toBeCloseTo(4 / 3 / 15, 15);
    expect(result.report.mIoU.unseen).toBeCloseTo(0.1, 15);
  });

  it('background as a class scores the background pixel too', async () => {
    const { result } = await run({ background: 'class' });
    const bg = result.report.classes.find((c) => c.labelId === 0);
    expect(bg?.groundTruthPixels).toBe(1);
    expect(bg?.iou).toBe(0); // predicted as id 5 (bus); id 0 predicted on a void pixel is not counted
    expect(result.report.pixels.scored).toBe(7);
  });

  it('warp mode counts at S×S', async () => {
    const { result } = await run({ warp: 4 });
    expect(result.report.pixels.total).toBe(16);
    expect(result.report.pixels.scored).toBe(12);
    expect(result.report.mIoU.unseen).toBe(0.5);
  });

  it('writes the JSON report with NaN as null', async () => {
    const file = path.join(dir, 'out', 'metrics.json');
    await run({ json: file });
    const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(raw).toMatchObject({ dataset: 'voc12', split: 'val', background: 'ignore', missing: [], extraPredictions: 0 });
    expect(raw.classes.find((c: { labelId: number }) => c.labelId === 17).iou).toBeNull(); // sheep: absent
    expect(raw.confusion.numClasses).toBe(20);
    const back = metricsReportFromJson(fs.readFileSync(file, 'utf8'));
    expect(back.mIoU.harmonic).toBeCloseTo(4 / 7, 15);
  });
});

describe('zls eval: bad input names the file', () => {
  it('a missing prediction fails, or with --allow-missing is skipped and reported', async () => {
    writeMask(gtDir(), 'b', GT, 2, 4, true);
    await expect(run({})).rejects.toThrow(/pred\/b\.png: no prediction for ground truth .*gt\/b\.png/);
    const { result, stderr } = await run({ allowMissing: true });
    expect(result.missing).toEqual(['b']);
    expect(result.report.images).toBe(1);
    expect(stderr).toMatch(/1 ground-truth file\(s\) had no prediction and were skipped: b/);
  });

  it('a size mismatch fails', async () => {
    writeMask(predDir(), 'a', PRED.slice(0, 6), 2, 3, false);
    await expect(run({})).rejects.toThrow(/pred\/a\.png: prediction is 2×3, ground truth .*gt\/a\.png is 2×4/);
  });

  it('an id outside the class space fails', async () => {
    writeMask(predDir(), 'a', [1, 1, 1, 1, 1, 1, 1, 37], 2, 4, false);
    await expect(run({})).rejects.toThrow(/pred\/a\.png: 1 pixel\(s\) hold label ids outside the class space \(first: 37 at x=3, y=1\); expected 0\.\.20, 255/);
  });

  it('an unknown dataset fails', async () => {
    await expect(run({ dataset: 'kitti' })).rejects.toThrow(/--dataset kitti: expected one of cocostuff, synthetic, voc12/);
  });
});

describe('zls eval on the real VOC samples', () => {
  it('palette SegmentationClass against the index SegmentationClassAug copies: identical labels score 100 %', async () => {
    const c = capture();
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((t) => (c.write(String(t)), true));
    try {
      await evalCommand().parseAsync(
        ['--pred', path.join(vocFixtures, 'SegmentationClassAug'), '--gt', path.join(vocFixtures, 'SegmentationClass'), '--dataset', 'voc12', '--split', 'val'],
        { from: 'user' },
      );
    } finally {
      spy.mockRestore();
    }
    const stdout = c.out.join('');
    // 2007_000033: aeroplane 30937 px; 2007_000129: bicycle 34183, person 61143 (counts from shared/data/SOURCES.md)
    expect(stdout).toMatch(/\n\d+\s+aeroplane\s+seen\s+100\.00\s+100\.00\s+100\.00\s+30937\s+30937\n/);
    expect(stdout).toMatch(/\n\d+\s+person\s+seen\s+100\.00\s+100\.00\s+100\.00\s+61143\s+61143\n/);
    expect(stdout).toContain('2 image(s), 126263 scored pixel(s), 223737 ignored');
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('mIoU seen 100.00 | unseen n/a | harmonic n/a');
  });
});
