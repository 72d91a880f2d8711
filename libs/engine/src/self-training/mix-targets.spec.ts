import { IGNORE_INDEX as I } from '@zls/core';
import { mixTargets } from './mix-targets';

const u8 = (xs: number[]) => Uint8Array.from(xs);

describe('mixTargets', () => {
  it('prefers the human label, then the pseudo-label, then ignore', () => {
    const human = u8([0, I, I, 2]);
    const pseudo = u8([5, 6, I, 7]);
    expect(mixTargets(human, pseudo)).toEqual(u8([0, 6, I, 2]));
  });
});
