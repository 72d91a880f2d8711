import { SeededRng } from '@zls/core';
import { PseudoLabelQuality, candidateMask, formatPseudoLabelQualityTable } from './pseudo-label-quality';
import { labelMap, simpleSpace } from './testing/fake-class-space';

// 3 classes: 0 seen, 1 and 2 unseen. The training target masks the unseen pixels (and void) as 255.
const space = simpleSpace(3, [1, 2]);
const hidden = labelMap([0, 1, 1, 1, 2, 2, 255, 255]);
const target = labelMap([0, 255, 255, 255, 255, 255, 255, 255]);
// pixel 0 is not a candidate: its pseudo-label must not count
const pseudo = labelMap([1, 1, 1, 2, 2, 255, 1, 255]);

describe('PseudoLabelQuality: hand-computed answers', () => {
  const q = new PseudoLabelQuality(space);
  q.add(pseudo, candidateMask(target), hidden);
  const r = q.report(1);

  it('per unseen class: precision, coverage and labelled share', () => {
    expect(r.classes).toEqual([
      { index: 1, name: 'c1', assigned: 3, correct: 2, hiddenPixels: 3, precision: 2 / 3, coverage: 2 / 3, labelledShare: 1 },
      { index: 2, name: 'c2', assigned: 2, correct: 1, hiddenPixels: 2, precision: 1 / 2, coverage: 1 / 2, labelledShare: 1 / 2 },
    ]);
  });

  it('overall: precision over all assigned pixels, on unseen pixels, coverage, labelled shares', () => {
    expect(r).toMatchObject({ round: 1, images: 1, pixels: 8, candidates: 7, assigned: 5, correct: 3 });
    expect(r.precision).toBeCloseTo(3 / 5, 15);
    expect(r.precisionOnUnseen).toBeCloseTo(3 / 4, 15);
    expect(r.coverage).toBeCloseTo(3 / 5, 15);
    expect(r.labelledUnseen).toBeCloseTo(4 / 5, 15);
    expect(r.labelledCandidates).toBeCloseTo(5 / 7, 15);
    expect(r.labelledNonUnseenCandidates).toBeCloseTo(1 / 2, 15);
  });

  it('the table has a row per round and per unseen class', () => {
    const text = formatPseudoLabelQualityTable([r, { ...r, round: 2 }]);
    expect(text).toMatch(/^round\s+precision/);
    expect(text).toMatch(/\n1\s+60\.00\s+75\.00\s+60\.00\s+80\.00\s+71\.43\s+50\.00\n2\s+60\.00/);
    expect(text).toMatch(/\n1\s+c1\s+66\.67\s+66\.67\s+100\.00\s+3\n/);
  });
});

describe('PseudoLabelQuality: merging and JSON', () => {
  it('partial accumulators add up to the whole, and survive a JSON round trip', () => {
    const rng = new SeededRng(3);
    const maps = Array.from({ length: 6 }, () => {
      const len = 50;
      const h = Uint8Array.from({ length: len }, () => (rng.next() < 0.2 ? 255 : rng.int(0, 2)));
      const t = h.map((v) => (v === 0 && rng.next() < 0.7 ? 0 : 255));
      const p = Uint8Array.from({ length: len }, () => (rng.next() < 0.3 ? 255 : rng.int(1, 2)));
      return { hidden: labelMap(Array.from(h)), target: labelMap(Array.from(t)), pseudo: labelMap(Array.from(p)) };
    });
    const whole = new PseudoLabelQuality(space);
    const a = new PseudoLabelQuality(space);
    const b = new PseudoLabelQuality(space);
    maps.forEach((m, i) => {
      whole.add(m.pseudo, candidateMask(m.target), m.hidden);
      (i < 2 ? a : b).add(m.pseudo, candidateMask(m.target), m.hidden);
    });
    expect(a.merge(b).report()).toEqual(whole.report());
    const back = PseudoLabelQuality.fromJSON(JSON.parse(JSON.stringify(whole.toJSON())), space);
    expect(back.report(2)).toEqual(whole.report(2));
  });

  it('candidateMask marks the given values (ignore by default, background too in --bkg mode)', () => {
    expect(Array.from(candidateMask(labelMap([0, 255, 3, 255])))).toEqual([0, 1, 0, 1]);
    expect(Array.from(candidateMask(labelMap([0, 255, 3]), [0, 255]))).toEqual([1, 1, 0]);
  });

  it('rejects maps of different sizes, naming the image', () => {
    const q = new PseudoLabelQuality(space);
    expect(() => q.add(labelMap([1, 1]), new Uint8Array(3), labelMap([1, 1, 1]), 'img_3')).toThrow(/img_3: pseudo-labels are 1×2, hidden labels 1×3/);
    expect(() => q.add(labelMap([1]), new Uint8Array(2), labelMap([1]), 'img_4')).toThrow(/img_4: candidate mask has 2 values for 1 pixels/);
  });

  it('undefined ratios are NaN when nothing was assigned', () => {
    const q = new PseudoLabelQuality(space);
    q.add(labelMap([255]), new Uint8Array([1]), labelMap([1]));
    const r = q.report();
    expect(r.precision).toBeNaN();
    expect(r.coverage).toBe(0);
  });
});
