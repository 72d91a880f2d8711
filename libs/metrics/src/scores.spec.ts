import { ConfusionMatrix } from './confusion-matrix';
import { computeScores, harmonicMean, nanMean } from './scores';
import { fakeClassSpace, simpleSpace } from './testing/fake-class-space';

function matrix(n: number, gt: number[], pred: number[]): ConfusionMatrix {
  const cm = new ConfusionMatrix(n);
  cm.add(Uint8Array.from(gt), Uint8Array.from(pred));
  return cm;
}

describe('computeScores: hand-computed answers', () => {
  // rows gt / cols pred: [2 1 0; 0 1 1; 0 0 1]; two ignore pixels with arbitrary predictions.
  const cm = matrix(3, [0, 0, 0, 1, 1, 2, 255, 255], [0, 0, 1, 1, 2, 2, 0, 2]);
  const s = computeScores(cm, simpleSpace(3, [2]));

  it('IoU per class and its means', () => {
    expect(s.classes.map((c) => c.iou)).toEqual([2 / 3, 1 / 3, 1 / 2]);
    expect(s.mIoU.all).toBeCloseTo(0.5, 15);
    expect(s.mIoU.seen).toBeCloseTo(0.5, 15);
    expect(s.mIoU.unseen).toBe(0.5);
    expect(s.mIoU.harmonic).toBeCloseTo(0.5, 15);
  });

  it('pixel accuracy overall / seen / unseen ignores the ignore pixels', () => {
    expect(s.pixelAccuracy.all).toBeCloseTo(4 / 6, 15);
    expect(s.pixelAccuracy.seen).toBeCloseTo(3 / 5, 15);
    expect(s.pixelAccuracy.unseen).toBe(1);
    expect(s.pixelAccuracy.harmonic).toBeCloseTo(0.75, 15);
  });

  it('mean class accuracy and frequency-weighted IoU (seen + unseen parts add up to all)', () => {
    expect(s.meanAccuracy.all).toBeCloseTo(13 / 18, 15);
    expect(s.meanAccuracy.seen).toBeCloseTo(7 / 12, 15);
    expect(s.meanAccuracy.unseen).toBe(1);
    expect(s.fwIoU.all).toBeCloseTo(19 / 36, 15);
    expect(s.fwIoU.seen).toBeCloseTo(4 / 9, 15);
    expect(s.fwIoU.unseen).toBeCloseTo(1 / 12, 15);
  });

  it('per-class counts', () => {
    expect(s.classes.map((c) => [c.truePositives, c.groundTruthPixels, c.predictedPixels])).toEqual([
      [2, 3, 2],
      [1, 2, 2],
      [1, 1, 2],
    ]);
    expect(s.classes.map((c) => c.role)).toEqual(['seen', 'seen', 'unseen']);
  });
});

describe('computeScores: NaN rules', () => {
  // 5 classes, seen 0..2, unseen 3..4. Class 2: no ground truth but one prediction → IoU 0, counted.
  // Class 4: neither ground truth nor prediction → NaN (SPNet: left out; ZS3: 0).
  const cm = matrix(5, [0, 0, 1, 1, 3, 3], [0, 2, 1, 1, 3, 0]);
  const space = simpleSpace(5, [3, 4]);

  it('SPNet convention: absent class is NaN and left out; predicted-only class is 0 and counts', () => {
    const s = computeScores(cm, space);
    expect(s.classes[2].iou).toBe(0);
    expect(s.classes[4].iou).toBeNaN();
    expect(s.mIoU.all).toBeCloseTo(11 / 24, 15);
    expect(s.mIoU.seen).toBeCloseTo(4 / 9, 15);
    expect(s.mIoU.unseen).toBe(0.5);
    expect(s.mIoU.harmonic).toBeCloseTo(8 / 17, 15);
    expect(s.classes[2].accuracy).toBeNaN();
    expect(s.meanAccuracy.all).toBeCloseTo(2 / 3, 15);
    expect(s.meanAccuracy.seen).toBeCloseTo(3 / 4, 15);
  });

  it('ZS3 convention: NaN becomes 0 before averaging', () => {
    const s = computeScores(cm, space, 'zs3');
    expect(s.classes[4].iou).toBe(0);
    expect(s.mIoU.all).toBeCloseTo(11 / 30, 15);
    expect(s.mIoU.seen).toBeCloseTo(4 / 9, 15);
    expect(s.mIoU.unseen).toBe(0.25);
    expect(s.mIoU.harmonic).toBeCloseTo(8 / 25, 15);
    expect(s.meanAccuracy.all).toBeCloseTo(2 / 5, 15);
    expect(s.meanAccuracy.unseen).toBe(0.25);
  });

  it('a class present but never predicted has IoU 0 and accuracy 0; precision NaN', () => {
    const s = computeScores(matrix(2, [0, 1], [0, 0]), simpleSpace(2, [1]));
    expect(s.classes[1]).toMatchObject({ iou: 0, accuracy: 0 });
    expect(s.classes[1].precision).toBeNaN();
    expect(s.classes[0].iou).toBe(0.5);
    expect(s.mIoU.harmonic).toBe(0);
  });

  it('a group with no defined class gives NaN, and so does the harmonic mean', () => {
    const s = computeScores(matrix(3, [0, 1], [0, 1]), simpleSpace(3, [2]));
    expect(s.mIoU.unseen).toBeNaN();
    expect(s.mIoU.harmonic).toBeNaN();
    expect(s.pixelAccuracy.unseen).toBeNaN();
    expect(s.mIoU.seen).toBe(1);
  });

  it('an out-of-space prediction is a miss of its ground-truth class', () => {
    const s = computeScores(matrix(2, [0, 1], [0, 255]), simpleSpace(2, [1]));
    expect(s.classes[1].iou).toBe(0);
    expect(s.classes[1].groundTruthPixels).toBe(1);
    expect(s.classes[0].iou).toBe(1);
    expect(s.pixelAccuracy.all).toBe(0.5);
  });
});

describe('computeScores: seen/unseen split with and without background', () => {
  // Dataset ids: 0 background, 1 "a" (seen), 2 "b" (unseen). The same pixels, two protocols.
  const gtIds = [0, 0, 1, 1, 2, 2];
  const predIds = [0, 1, 1, 1, 2, 1];

  it('background as a seen class counts in S', () => {
    const space = fakeClassSpace('bkg', [
      { name: 'background', role: 'seen' },
      { name: 'a', role: 'seen' },
      { name: 'b', role: 'unseen' },
    ], 0);
    const s = computeScores(matrix(3, gtIds, predIds), space);
    expect(s.classes.map((c) => c.iou)).toEqual([0.5, 0.5, 0.5]);
    expect(s.mIoU.seen).toBe(0.5);
    expect(s.mIoU.unseen).toBe(0.5);
  });

  it('background ignored: its pixels leave the matrix, S covers "a" only', () => {
    const space = fakeClassSpace('nobkg', [
      { name: 'a', role: 'seen', labelId: 1 },
      { name: 'b', role: 'unseen', labelId: 2 },
    ]);
    const toIndex = (ids: number[]) => ids.map((id) => space.outputIndexOf(id));
    const cm = matrix(2, toIndex(gtIds), toIndex(predIds));
    expect(cm.ignoredPixels).toBe(2);
    const s = computeScores(cm, space);
    expect(s.mIoU.seen).toBeCloseTo(2 / 3, 15);
    expect(s.mIoU.unseen).toBe(0.5);
    expect(s.mIoU.harmonic).toBeCloseTo(4 / 7, 15);
  });
});

describe('helpers', () => {
  it('harmonicMean and nanMean', () => {
    expect(harmonicMean(0.8, 0.2)).toBeCloseTo(0.32, 15);
    expect(harmonicMean(0, 0)).toBe(0);
    expect(harmonicMean(NaN, 0.5)).toBeNaN();
    expect(nanMean([NaN, 1, 3])).toBe(2);
    expect(nanMean([NaN])).toBeNaN();
  });

  it('rejects a class space of another size', () => {
    expect(() => computeScores(new ConfusionMatrix(3), simpleSpace(4, []))).toThrow(/4 classes, the confusion matrix 3/);
  });
});
