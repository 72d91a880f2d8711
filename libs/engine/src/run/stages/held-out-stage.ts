import { ConfigError, type DataService, type SegmentationModel } from '@zls/core';
import { stageFromConfig } from '../stage-from-config';
import { heldOutStageKey } from '../stage-keys';
import type { RunContext } from '../run-context';
import { trainInStageFolder } from '../train-and-score';

/** The data of the held-out-seen rule, or a clear error when the composition root built none. */
export function heldOutData(ctx: RunContext): DataService {
  const held = ctx.services.heldOutData;
  if (!held) throw new ConfigError([{ path: 'calibration.rule', message: 'held-out-seen needs calibration.heldOutClasses and a dataset that supports them' }]);
  return held;
}

/**
 * SPNet-c's held-out SPNet (the held-out-seen rule): a second SPNet trained with calibration.heldOutClasses
 * hidden, or read back from its stage folder. It starts from nothing, so a stage job for it needs no other stage.
 */
export async function trainHeldOutStage(ctx: RunContext): Promise<SegmentationModel> {
  const { experiment: exp, services } = ctx;
  const held = heldOutData(ctx);
  const space = held.classSpace;
  const spec = stageFromConfig('spnet-held-out', 0, exp.train, space.seenIndices);
  const key = heldOutStageKey(ctx.config, exp.calibration);
  const proxy = services.models.create(exp.seed);
  try {
    await trainInStageFolder(ctx, {
      model: proxy,
      spec,
      key,
      label: 'spnet (held-out seen)',
      openSource: (startStep) => held.trainingBatches({ batchSize: exp.train.batchSize, seed: exp.seed, startStep }),
      classSpaceName: space.name,
      // Like SPNet's own stage it starts from the initial weights: a randomly initialised frozen-BN ResNet then
      // estimates its batch-norm statistics from the first batch (without that its loss went NaN at step 2).
      fromInitialWeights: true,
      announceResume: false,
    });
    return proxy;
  } catch (e) {
    proxy.dispose();
    throw e;
  }
}
