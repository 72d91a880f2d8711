import { DataError, IGNORE_INDEX } from '@zls/core';
import { vocClassSpace } from '../splits/voc-class-space';
import { applyLabelTables } from './apply-label-tables';
import { buildLabelTables } from './label-tables';

// A 1×6 label row with background, aeroplane (seen), potted plant and sheep (unseen), void, horse (seen-val).
const raw = { width: 6, height: 1, data: Uint8Array.of(0, 1, 16, 17, 255, 13) };

describe('unseen masking', () => {
  const spnet = vocClassSpace();
  const bkg = vocClassSpace({ background: 'class' });

  it("'ignore' (SPNet/STRICT): unseen pixels become ignore in the target and keep their class in hidden", () => {
    const tables = buildLabelTables(spnet.space, spnet.datasetLabelIds, 'ignore', true);
    const { target, hidden, hasUnseen } = applyLabelTables(raw, tables, 'row.png');
    const I = IGNORE_INDEX;
    expect([...hidden.data]).toEqual([I, 0, 15, 16, I, 12]);
    expect([...target.data]).toEqual([I, 0, I, I, I, 12]);
    expect(hasUnseen).toBe(true);
  });

  it("'background' (--bkg): unseen pixels become the background class", () => {
    const tables = buildLabelTables(bkg.space, bkg.datasetLabelIds, 'background', true);
    const { target, hidden } = applyLabelTables(raw, tables, 'row.png');
    expect([...hidden.data]).toEqual([0, 1, 16, 17, IGNORE_INDEX, 13]);
    expect([...target.data]).toEqual([0, 1, 0, 0, IGNORE_INDEX, 13]);
  });

  it('evaluation splits are not masked: target = hidden', () => {
    const tables = buildLabelTables(spnet.space, spnet.datasetLabelIds, 'ignore', false);
    const { target, hidden } = applyLabelTables(raw, tables, 'row.png');
    expect([...target.data]).toEqual([...hidden.data]);
    expect(target.data[2]).toBe(15);
  });

  it("refuses 'background' when background is no class", () => {
    expect(() => buildLabelTables(spnet.space, spnet.datasetLabelIds, 'background', true)).toThrow(/background is not a class there/);
  });

  it('a label value the dataset does not define is an error naming file, value and pixel', () => {
    const tables = buildLabelTables(spnet.space, spnet.datasetLabelIds, 'ignore', true);
    const bad = { width: 3, height: 2, data: Uint8Array.of(0, 0, 0, 0, 21, 0) };
    expect(() => applyLabelTables(bad, tables, '/data/x.png')).toThrow(DataError);
    expect(() => applyLabelTables(bad, tables, '/data/x.png')).toThrow('/data/x.png: label value 21 at pixel (1, 1) is not a class of this dataset nor 255');
  });
});
