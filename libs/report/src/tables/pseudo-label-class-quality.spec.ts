import { pseudoLabelClasses, pseudoLabelIoU } from './pseudo-label-class-quality';

describe('pseudo-label class quality', () => {
  it('scores a class as correct over the union of labelled and hidden pixels', () => {
    // 10 labelled, 20 hidden, 8 of them both: union 22.
    expect(pseudoLabelIoU({ assigned: 10, correct: 8, hiddenPixels: 20 })).toBeCloseTo(8 / 22, 12);
    expect(pseudoLabelIoU({ assigned: 5, correct: 5, hiddenPixels: 5 })).toBe(1);
    expect(pseudoLabelIoU({ assigned: 0, correct: 0, hiddenPixels: 0 })).toBeNull();
  });

  it('reads the per-class entries of a quality JSON, none when it has none', () => {
    const cat = { index: 3, name: 'cat', assigned: 1, correct: 1, hiddenPixels: 1, precision: 1, recall: 1 };
    expect(pseudoLabelClasses({ classes: [cat] })).toEqual([cat]);
    expect(pseudoLabelClasses({ precision: 0.5 })).toEqual([]);
    expect(pseudoLabelClasses(null)).toEqual([]);
  });
});
