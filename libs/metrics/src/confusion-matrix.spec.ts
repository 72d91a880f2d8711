import { ConfusionMatrix } from './confusion-matrix';

const u8 = (v: number[]) => Uint8Array.from(v);

describe('ConfusionMatrix', () => {
  it('counts (gt, pred) pairs, skips pixels whose ground truth is not a class', () => {
    const cm = new ConfusionMatrix(3);
    cm.add(u8([0, 0, 0, 1, 1, 2, 255, 255, 7]), u8([0, 0, 1, 1, 2, 2, 0, 2, 1]));
    const expected = [
      [2, 1, 0, 0],
      [0, 1, 1, 0],
      [0, 0, 1, 0],
    ];
    for (let g = 0; g < 3; g++) for (let p = 0; p <= 3; p++) expect(cm.count(g, p)).toBe(expected[g][p]);
    expect(cm.totalPixels).toBe(9);
    expect(cm.scoredPixels).toBe(6);
    expect(cm.ignoredPixels).toBe(3);
  });

  it('puts scored pixels with a prediction outside the class space in the extra column', () => {
    const cm = new ConfusionMatrix(2);
    const outside = cm.add(u8([0, 1, 1, 255]), u8([0, 255, 9, 255]));
    expect(outside).toBe(2);
    expect(cm.count(1, 2)).toBe(2);
    expect(cm.outOfSpacePredictions).toBe(2);
  });

  it('merges partial matrices into the matrix of the whole', () => {
    const gt = u8([0, 1, 2, 2, 1, 0, 255, 2]);
    const pr = u8([1, 1, 2, 0, 1, 0, 1, 2]);
    const whole = new ConfusionMatrix(3);
    whole.add(gt, pr);
    const a = new ConfusionMatrix(3);
    const b = new ConfusionMatrix(3);
    a.add(gt.subarray(0, 3), pr.subarray(0, 3));
    b.add(gt.subarray(3), pr.subarray(3));
    expect(a.merge(b).toJSON()).toEqual(whole.toJSON());
  });

  it('round-trips through JSON and rejects malformed counts', () => {
    const cm = new ConfusionMatrix(2);
    cm.add(u8([0, 1, 255]), u8([1, 1, 0]));
    expect(ConfusionMatrix.fromJSON(cm.toJSON()).toJSON()).toEqual(cm.toJSON());
    expect(() => ConfusionMatrix.fromJSON({ numClasses: 2, totalPixels: 3, cells: [1, 2] }, 'x.json')).toThrow(/x.json: cells must be an array of 6/);
    expect(() => ConfusionMatrix.fromJSON({ numClasses: 2, totalPixels: 3, cells: [0, 0, 0, 0, 0.5, 0] })).toThrow(/cells\[4\] = 0.5/);
  });

  it('rejects arrays of different length and bad class counts', () => {
    expect(() => new ConfusionMatrix(2).add(u8([0]), u8([0, 1]))).toThrow(/1 pixels, prediction has 2/);
    expect(() => new ConfusionMatrix(0)).toThrow(/1..255/);
    expect(() => new ConfusionMatrix(256)).toThrow(/1..255/);
  });
});
