import { deeplabParamGroup, learningRate } from './lr-schedule';

describe('learningRate', () => {
  it('poly decays from the base rate to zero with the given power', () => {
    const spec = { policy: 'poly' as const, baseLr: 0.01, totalSteps: 100, power: 1 };
    expect(learningRate(spec, 0)).toBe(0.01);
    expect(learningRate(spec, 50)).toBeCloseTo(0.005, 12);
    expect(learningRate(spec, 100)).toBe(0);
    // (1 − 0.5)^0.9 = 0.535886731...
    expect(learningRate({ ...spec, power: 0.9 }, 50)).toBeCloseTo(0.01 * 0.5358867313, 10);
  });

  it('updates only every N steps, like the reference code', () => {
    const spec = { policy: 'poly' as const, baseLr: 1, totalSteps: 100, power: 1, updateEvery: 10 };
    expect(learningRate(spec, 9)).toBe(1);
    expect(learningRate(spec, 10)).toBeCloseTo(0.9, 12);
    expect(learningRate(spec, 19)).toBeCloseTo(0.9, 12);
  });

  it('cosine halves at mid-stage and reaches zero at the end', () => {
    const spec = { policy: 'cosine' as const, baseLr: 2e-3, totalSteps: 1000 };
    expect(learningRate(spec, 0)).toBe(2e-3);
    expect(learningRate(spec, 500)).toBeCloseTo(1e-3, 15);
    expect(learningRate(spec, 250)).toBeCloseTo(2e-3 * (0.5 + Math.SQRT1_2 / 2), 15);
    expect(learningRate(spec, 1000)).toBeCloseTo(0, 15);
  });

  it('holds constant and clamps steps past the end', () => {
    expect(learningRate({ policy: 'constant', baseLr: 0.1, totalSteps: 10 }, 99)).toBe(0.1);
    expect(learningRate({ policy: 'poly', baseLr: 0.1, totalSteps: 10 }, 99)).toBe(0);
    expect(() => learningRate({ policy: 'poly', baseLr: 0.1, totalSteps: 0 }, 0)).toThrow(/totalSteps/);
  });
});

describe('deeplabParamGroup', () => {
  it('gives the head 10× on weights and 20× without decay on biases', () => {
    expect(deeplabParamGroup(false, false)).toEqual({ name: 'backbone', lrMultiplier: 1, weightDecay: true });
    expect(deeplabParamGroup(false, true).lrMultiplier).toBe(1);
    expect(deeplabParamGroup(true, false)).toEqual({ name: 'head-weight', lrMultiplier: 10, weightDecay: true });
    expect(deeplabParamGroup(true, true)).toEqual({ name: 'head-bias', lrMultiplier: 20, weightDecay: false });
  });
});
