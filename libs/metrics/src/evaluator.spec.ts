import { SeededRng, type LabelMap } from '@zls/core';
import { Evaluator } from './evaluator';
import { labelMap, simpleSpace } from './testing/fake-class-space';

/**
 * An independent float64 reference written straight from the definitions: per class, count TP, FP and FN by
 * looking at every pixel of every image, then average with explicit NaN filtering. No confusion matrix.
 */
function naiveScores(pairs: { pred: LabelMap; gt: LabelMap }[], n: number, seen: number[], unseen: number[]) {
  const tp = new Array(n).fill(0);
  const fp = new Array(n).fill(0);
  const fn = new Array(n).fill(0);
  for (const { pred, gt } of pairs) {
    for (let i = 0; i < gt.data.length; i++) {
      const g = gt.data[i];
      const p = pred.data[i];
      if (g >= n) continue;
      for (let c = 0; c < n; c++) {
        if (g === c && p === c) tp[c] += 1;
        else if (g === c) fn[c] += 1;
        else if (p === c) fp[c] += 1;
      }
    }
  }
  const iou = tp.map((t, c) => (t + fp[c] + fn[c] === 0 ? NaN : t / (t + fp[c] + fn[c])));
  const mean = (idx: number[], zeroNan: boolean) => {
    const vals = idx.map((c) => iou[c]).map((v) => (zeroNan && Number.isNaN(v) ? 0 : v)).filter((v) => !Number.isNaN(v));
    return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : NaN;
  };
  const pixAcc = (idx: number[]) => {
    const t = idx.reduce((a, c) => a + tp[c], 0);
    const g = idx.reduce((a, c) => a + tp[c] + fn[c], 0);
    return t / g;
  };
  const all = [...Array(n).keys()];
  return {
    iou,
    spnet: { all: mean(all, false), seen: mean(seen, false), unseen: mean(unseen, false) },
    zs3: { all: mean(all, true), seen: mean(seen, true), unseen: mean(unseen, true) },
    pixAcc: { all: pixAcc(all), seen: pixAcc(seen), unseen: pixAcc(unseen) },
  };
}

/** Ground truth never holds `absentFromGt`; predictions never hold `absentEverywhere`. */
function randomPairs(rng: SeededRng, count: number, n: number, absentFromGt: number[], absentEverywhere: number[]) {
  const pairs: { pred: LabelMap; gt: LabelMap }[] = [];
  const draw = (absent: number[]) => {
    let c: number;
    do c = rng.int(0, n - 1);
    while (absent.includes(c));
    return c;
  };
  for (let k = 0; k < count; k++) {
    const height = rng.int(1, 40);
    const width = rng.int(1, 40);
    const gt = new Uint8Array(height * width);
    const pred = new Uint8Array(height * width);
    for (let i = 0; i < gt.length; i++) {
      gt[i] = rng.next() < 0.15 ? 255 : draw([...absentFromGt, ...absentEverywhere]);
      pred[i] = rng.next() < 0.6 && gt[i] !== 255 ? gt[i] : draw(absentEverywhere);
    }
    pairs.push({ gt: { data: gt, height, width }, pred: { data: pred, height, width } });
  }
  return pairs;
}

describe('Evaluator against an independent float64 implementation', () => {
  const n = 12;
  const seen = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const unseen = [9, 10, 11];
  const space = simpleSpace(n, unseen);

  it.each([1, 2, 3, 4, 5])('random label maps, seed %i (a class only predicted, one absent everywhere; merged from two workers)', (seed) => {
    const rng = new SeededRng(seed);
    const pairs = randomPairs(rng, 20, n, [10], [11]);
    const ref = naiveScores(pairs, n, seen, unseen);

    const single = new Evaluator(space);
    pairs.forEach((p) => single.add(p.pred, p.gt));
    const workerA = new Evaluator(space);
    const workerB = new Evaluator(space);
    pairs.forEach((p, i) => (i % 2 ? workerA : workerB).add(p.pred, p.gt));
    const merged = workerA.merge(workerB).report();
    const report = single.report();
    expect(merged).toEqual(report);
    expect(report.images).toBe(20);

    report.classes.forEach((c, i) => (Number.isNaN(ref.iou[i]) ? expect(c.iou).toBeNaN() : expect(c.iou).toBeCloseTo(ref.iou[i], 14)));
    // class 10 is predicted but never in the ground truth → IoU 0 and counted; class 11 appears nowhere → NaN
    expect(report.classes[10].iou).toBe(0);
    expect(report.classes[11].iou).toBeNaN();
    for (const k of ['all', 'seen', 'unseen'] as const) {
      expect(report.mIoU[k]).toBeCloseTo(ref.spnet[k], 14);
      expect(report.pixelAccuracy[k]).toBeCloseTo(ref.pixAcc[k], 14);
    }
    const zs3 = new Evaluator(space, { convention: 'zs3' });
    pairs.forEach((p) => zs3.add(p.pred, p.gt));
    for (const k of ['all', 'seen', 'unseen'] as const) expect(zs3.report().mIoU[k]).toBeCloseTo(ref.zs3[k], 14);
  });
});

describe('Evaluator input checks and options', () => {
  const space = simpleSpace(3, [2]);

  it('rejects a size mismatch, naming the image', () => {
    const ev = new Evaluator(space);
    expect(() => ev.add(labelMap([0, 1, 2], 1, 3), labelMap([0, 1], 1, 2), 'img_7')).toThrow(/img_7: prediction is 1×3, ground truth is 1×2/);
  });

  it('rejects a prediction outside the class space on a scored pixel and leaves the totals untouched', () => {
    const ev = new Evaluator(space);
    ev.add(labelMap([0, 1]), labelMap([0, 1]));
    expect(() => ev.add(labelMap([0, 5]), labelMap([0, 1]), 'img_8')).toThrow(/img_8: 1 scored pixel\(s\) have a prediction that is not a class/);
    expect(ev.images).toBe(1);
    expect(ev.report().pixels.scored).toBe(2);
    // on an ignored pixel any prediction is fine
    ev.add(labelMap([0, 255]), labelMap([0, 255]));
    expect(ev.images).toBe(2);
  });

  it("counts out-of-space predictions as misses with outOfSpacePredictions: 'count'", () => {
    const ev = new Evaluator(space, { outOfSpacePredictions: 'count' });
    expect(ev.add(labelMap([0, 255]), labelMap([0, 1]))).toBe(1);
    const r = ev.report();
    expect(r.pixels.outOfSpacePredictions).toBe(1);
    expect(r.classes[1].iou).toBe(0);
  });

  it('warp mode counts at warpSize × warpSize (nearest), from a prediction at either size', () => {
    const gt = labelMap([0, 1, 2, 255], 2, 2);
    const ev = new Evaluator(space, { warpSize: 4 });
    ev.add(labelMap([0, 1, 1, 0], 2, 2), gt);
    const predAt4 = labelMap([0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0], 4, 4);
    ev.add(predAt4, gt);
    const r = ev.report();
    expect(r.warpSize).toBe(4);
    expect(r.pixels).toEqual({ total: 32, scored: 24, ignored: 8, outOfSpacePredictions: 0 });
    expect(r.classes.map((c) => c.groundTruthPixels)).toEqual([8, 8, 8]);
    expect(r.classes[2].truePositives).toBe(0);
    expect(() => ev.add(labelMap([0, 0, 0], 1, 3), gt, 'odd')).toThrow(/odd: prediction is 1×3; expected the ground truth's 2×2 or the warp size 4×4/);
  });

  it('merge refuses evaluators with other options', () => {
    expect(() => new Evaluator(space).merge(new Evaluator(space, { convention: 'zs3' }))).toThrow(/different convention/);
  });

  it('addBatch counts each pair once and reset clears', () => {
    const ev = new Evaluator(space);
    ev.addBatch([labelMap([0]), labelMap([1])], [labelMap([0]), labelMap([2])]);
    expect(ev.images).toBe(2);
    expect(ev.report().pixels.scored).toBe(2);
    ev.reset();
    expect(ev.images).toBe(0);
    expect(ev.report().pixels.total).toBe(0);
  });
});
