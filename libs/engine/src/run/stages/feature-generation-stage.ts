import { ZlsError, type FeatureGenerationStage as Generation } from '@zls/core';
import { recordVariables, restoreVariables } from '../../train/train-stage';
import { generativeStageKey } from '../stage-keys';
import type { RunContext } from '../run-context';
import type { StageOutcome } from '../run-result';
import { scoreStage, stageDir, stageLog, stopHere } from '../train-and-score';
import type { RunStage } from '../run-stage';

/**
 * ZS3Net's generative stage on the supervised network: generated unseen features retrain the classifier (no
 * unseen label is read). Which generator runs is the service the composition root built from the experiment's
 * `generative` component.
 */
export class FeatureGenerationStage implements RunStage {
  readonly name = 'zs3';

  constructor(private readonly generation: Generation) {}

  async run(ctx: RunContext): Promise<StageOutcome | undefined> {
    const t0 = Date.now();
    const { experiment: exp, services, print } = ctx;
    const model = ctx.model;
    if (!model || ctx.previousKey === undefined) throw new ZlsError('the feature-generation stage needs a trained stage before it');
    const space = services.data.classSpace;
    const key = generativeStageKey(ctx.previousKey, ctx.config);
    const dir = stageDir(ctx, key);
    const checkpointer = services.models.checkpointer(dir);
    await ctx.locks.acquire(dir);
    const saved = checkpointer.latest('zs3');
    if (saved) restoreVariables(model.stateVariables(), saved.weights);
    else {
      print('zs3: training the feature generator and retraining the classifier');
      const log = stageLog(dir);
      await this.generation.run(model, services.data.pass('train', exp.eval.batchSize), { classSpace: space, seed: exp.seed, log: (r) => log.write(r), graphs: ctx.options.graphs });
      checkpointer.save(recordVariables(model.stateVariables()), {}, { configHash: key, classSpace: space.name, stage: 'zs3', round: 0, step: 1 });
    }
    ctx.locks.release(dir);
    if (ctx.stopAfter === key) return stopHere(ctx, model);
    const outcome = await scoreStage(ctx, { model, name: 'zs3net', key, trained: !saved, t0 });
    ctx.previousKey = key;
    ctx.supervised = false;
    return outcome;
  }
}
