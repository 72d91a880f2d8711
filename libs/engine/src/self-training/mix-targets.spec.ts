import { IGNORE_INDEX as I } from '@zls/core';
import { candidateMask, flipLabelMap, mixTargets } from './mix-targets';

const u8 = (xs: number[]) => Uint8Array.from(xs);

describe('mixTargets and candidateMask', () => {
  it('prefers the human label, then the pseudo-label, then ignore', () => {
    const human = u8([0, I, I, 2]);
    const pseudo = u8([5, 6, I, 7]);
    expect(mixTargets(human, pseudo)).toEqual(u8([0, 6, I, 2]));
    expect(candidateMask(human)).toEqual(u8([0, 1, 1, 0]));
  });
});

describe('flipLabelMap', () => {
  it('mirrors each row and is its own inverse', () => {
    const map = { data: u8([1, 2, 3, 4, 5, 6]), height: 2, width: 3 };
    expect(flipLabelMap(map).data).toEqual(u8([3, 2, 1, 6, 5, 4]));
    expect(flipLabelMap(flipLabelMap(map))).toEqual(map);
  });
});
