import { epochOrder, sampleRng, splitBatches } from './batch-plan';

describe('batch plan', () => {
  it('shuffles into a permutation fixed by (seed, epoch)', () => {
    const a = epochOrder(50, 7, 0, true);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(epochOrder(50, 7, 0, true)).toEqual(a);
    expect(epochOrder(50, 7, 1, true)).not.toEqual(a);
    expect(epochOrder(50, 8, 0, true)).not.toEqual(a);
    expect(epochOrder(5, 7, 3, false)).toEqual([0, 1, 2, 3, 4]);
  });

  it('splits into batches, keeping or dropping the short last one', () => {
    expect(splitBatches([4, 2, 0, 1, 3], 2, false)).toEqual([[4, 2], [0, 1], [3]]);
    expect(splitBatches([4, 2, 0, 1, 3], 2, true)).toEqual([[4, 2], [0, 1]]);
  });

  it('gives each (seed, epoch, index) its own augmentation stream', () => {
    expect(sampleRng(1, 2, 3).next()).toBe(sampleRng(1, 2, 3).next());
    const draws = new Set([sampleRng(1, 2, 3), sampleRng(1, 2, 4), sampleRng(1, 3, 3), sampleRng(2, 2, 3)].map((r) => r.next()));
    expect(draws.size).toBe(4);
  });
});
