export type LrPolicy = 'poly' | 'cosine' | 'constant';

export interface LrScheduleSpec {
  policy: LrPolicy;
  baseLr: number;
  totalSteps: number;
  /** Exponent of the poly policy (DeepLab: 0.9). */
  power?: number;
  /** Recompute the rate only every N steps, as the reference code does (SPNet/STRICT: 10). */
  updateEvery?: number;
}

/** Learning rate at step t (0-based) of a stage of `totalSteps` steps. */
export function learningRate(spec: LrScheduleSpec, step: number): number {
  const { baseLr, totalSteps } = spec;
  if (!(totalSteps > 0)) throw new Error(`totalSteps must be positive, got ${totalSteps}`);
  const every = spec.updateEvery ?? 1;
  const t = Math.min(Math.floor(step / every) * every, totalSteps);
  const progress = t / totalSteps;
  switch (spec.policy) {
    case 'constant':
      return baseLr;
    case 'poly':
      return baseLr * Math.pow(1 - progress, spec.power ?? 0.9);
    case 'cosine':
      return baseLr * 0.5 * (1 + Math.cos(Math.PI * progress));
  }
}

/** A group of parameters that shares a learning-rate multiplier and a weight-decay switch. */
export interface ParamGroupRule {
  name: string;
  lrMultiplier: number;
  weightDecay: boolean;
}

/**
 * DeepLab/SPNet convention: backbone 1×, head weights 10×, head biases 20× without weight decay.
 * `isHead` and `isBias` classify a variable by its role, which the model knows.
 */
export function deeplabParamGroup(isHead: boolean, isBias: boolean): ParamGroupRule {
  if (!isHead) return { name: 'backbone', lrMultiplier: 1, weightDecay: true };
  return isBias ? { name: 'head-bias', lrMultiplier: 20, weightDecay: false } : { name: 'head-weight', lrMultiplier: 10, weightDecay: true };
}
