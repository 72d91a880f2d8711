import { stageFromConfig } from '../stage-from-config';
import { baseStageKey } from '../stage-keys';
import type { RunContext } from '../run-context';
import type { StageOutcome } from '../run-result';
import { scoreStage, stopHere, trainInStageFolder } from '../train-and-score';
import type { RunStage } from '../run-stage';

/** SPNet's supervised stage on the seen classes only, from the model's initial weights. */
export class SupervisedStage implements RunStage {
  readonly name = 'spnet';

  async run(ctx: RunContext): Promise<StageOutcome | undefined> {
    const t0 = Date.now();
    const { experiment: exp, services } = ctx;
    const key = baseStageKey(ctx.config);
    const spec = stageFromConfig('spnet', 0, exp.train, services.data.classSpace.seenIndices);
    const model = services.models.create(exp.seed);
    ctx.model = model;
    const result = await trainInStageFolder(ctx, {
      model,
      spec,
      key,
      label: 'spnet',
      openSource: (startStep) => services.data.trainingBatches({ batchSize: exp.train.batchSize, seed: exp.seed, startStep }),
      fromInitialWeights: true,
    });
    if (ctx.stopAfter === key) return stopHere(ctx, model);
    ctx.previousKey = key;
    ctx.supervised = true;
    return scoreStage(ctx, { model, name: 'spnet', key, trained: result.stepsRun > 0, t0, supervised: true });
  }
}
