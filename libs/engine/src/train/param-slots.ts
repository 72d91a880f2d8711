import type { TrainableVariable } from '@zls/core';
import { deeplabParamGroup } from '../schedule/lr-schedule';
import type { ParamSlot } from '../optim/optimizer';
import type { StageSpec } from './stage-spec';

/** Learning-rate multiplier and weight decay of each trainable variable, by its role in the model. */
export function paramSlots(trainable: readonly TrainableVariable[], spec: StageSpec): ParamSlot[] {
  return trainable.map((t) => {
    const group = spec.headLrMultipliers ? deeplabParamGroup(t.role === 'head', t.isBias) : { lrMultiplier: 1, weightDecay: true };
    return { variable: t.variable, lrMultiplier: group.lrMultiplier, weightDecay: group.weightDecay ? spec.weightDecay : 0 };
  });
}
