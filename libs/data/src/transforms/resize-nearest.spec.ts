import { resizeNearest } from './resize-nearest';

describe('resizeNearest', () => {
  it('picks the source pixel whose cell holds the output pixel centre', () => {
    const label = { data: Uint8Array.from([1, 2, 3]), height: 1, width: 3 };
    expect(Array.from(resizeNearest(label, 1, 6).data)).toEqual([1, 1, 2, 2, 3, 3]);
    expect(Array.from(resizeNearest(label, 1, 2).data)).toEqual([1, 3]);
    const tall = { data: Uint8Array.from([4, 5, 6, 7]), height: 2, width: 2 };
    // Width 2 → 1: the centre 0.5 maps to source x = 1.0, the second column.
    expect(Array.from(resizeNearest(tall, 4, 1).data)).toEqual([5, 5, 7, 7]);
  });

  it('never produces a value that is not in the input', () => {
    const data = Uint8Array.from({ length: 7 * 9 }, (_, i) => [0, 7, 255][i % 3]);
    for (const [h, w] of [[3, 4], [20, 31], [7, 9], [1, 50]]) {
      const values = new Set(resizeNearest({ data, height: 7, width: 9 }, h, w).data);
      for (const v of values) expect([0, 7, 255]).toContain(v);
    }
  });
});
