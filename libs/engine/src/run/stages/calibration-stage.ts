import { ZlsError, type CalibrationSection, type DataService, type SegmentationModel } from '@zls/core';
import { bestGamma, evaluateModel } from '../evaluate-model';
import { withFrozenView, withTestView } from '../frozen-view';
import type { RunContext } from '../run-context';
import type { CalibrationOutcome, StageOutcome } from '../run-result';
import { scoreStage } from '../train-and-score';
import type { RunStage } from '../run-stage';
import { heldOutData, trainHeldOutStage } from './held-out-stage';

type CalibrationRule = Exclude<CalibrationSection['rule'], 'none'>;

/**
 * SPNet-c: γ chosen from calibration.gammas by the configured rule, then the chain's final model scored with it.
 * held-out-seen (fair): a second SPNet trained with some seen classes hidden picks γ on them alone.
 * oracle-val: γ picked on the calibration split's unseen labels (optimistic; an oracle in every table).
 */
export class CalibrationStage implements RunStage {
  readonly name = 'calibration';

  constructor(private readonly rule: CalibrationRule) {}

  async run(ctx: RunContext): Promise<StageOutcome | undefined> {
    const t0 = Date.now();
    const model = ctx.model;
    if (!model || ctx.previousKey === undefined) throw new ZlsError('calibration needs a trained stage before it');
    const chosen = await this.chooseGamma(ctx, model);
    ctx.calibration = chosen;
    const name = this.rule === 'oracle-val' ? 'calibrated-oracle' : 'calibrated';
    const outcome = await scoreStage(ctx, { model, name, key: ctx.previousKey, trained: false, t0, gamma: chosen.gamma, supervised: ctx.supervised });
    ctx.print(`calibration (${this.rule}): γ = ${chosen.gamma}`);
    return outcome;
  }

  private async chooseGamma(ctx: RunContext, model: SegmentationModel): Promise<CalibrationOutcome> {
    if (this.rule === 'oracle-val') return sweep(ctx, this.rule, model, ctx.supervised, ctx.services.data);
    const held = heldOutData(ctx);
    const proxy = await trainHeldOutStage(ctx);
    try {
      return await sweep(ctx, this.rule, proxy, true, held);
    } finally {
      proxy.dispose();
    }
  }
}

/** Scores every γ on one pass over a data service's calibration split and keeps the best by harmonic mIoU. */
async function sweep(ctx: RunContext, rule: CalibrationRule, model: SegmentationModel, supervised: boolean, data: DataService): Promise<CalibrationOutcome> {
  const { gammas } = ctx.experiment.calibration;
  const space = data.classSpace;
  const accs = await withTestView(model, supervised, (scored) =>
    withFrozenView(scored, ctx.options.graphs?.threads, (m) =>
      evaluateModel(m, data.pass('calibration', ctx.experiment.eval.batchSize), ctx.services.metrics, space, { seen: space.seenIndices, unseen: space.unseenIndices }, gammas),
    ),
  );
  const { gamma } = bestGamma(gammas, accs);
  return { rule, gamma, sweep: gammas.map((g, i) => ({ gamma: g, harmonic: accs[i].headline().harmonic })) };
}
