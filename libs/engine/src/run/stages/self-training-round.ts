import * as fs from 'node:fs';
import * as path from 'node:path';
import { readPseudoLabelQuality, writeFileAtomic, ZlsError, type LabelMap, type PseudoLabeler } from '@zls/core';
import { forEachLabelled } from '../../self-training/label-training-set';
import { onlineTargets } from '../../self-training/target-providers';
import { EXAMPLES_DIR, ExampleMaps } from '../example-maps';
import { stageFromConfig } from '../stage-from-config';
import { roundStageKey } from '../stage-keys';
import type { RunContext } from '../run-context';
import type { StageOutcome } from '../run-result';
import { scoreStage, stageDir, stopHere, trainInStageFolder } from '../train-and-score';
import type { RunStage } from '../run-stage';

/** One round of self-training: the student starts as a copy of its generator (the chain's model), with a fresh optimiser. */
export class SelfTrainingRound implements RunStage {
  readonly name: string;

  constructor(
    readonly round: number,
    private readonly labeler: PseudoLabeler,
  ) {
    this.name = `round-${round}`;
  }

  async run(ctx: RunContext): Promise<StageOutcome | undefined> {
    const t0 = Date.now();
    const { round, labeler } = this;
    const { experiment: exp, services, print } = ctx;
    const { data, models, metrics } = services;
    const generator = ctx.model;
    if (!generator || ctx.previousKey === undefined) throw new ZlsError(`self-training round ${round} needs a trained stage before it`);
    const space = data.classSpace;
    const unseen = space.unseenIndices;
    const key = roundStageKey(ctx.previousKey, ctx.config, round);
    const dir = stageDir(ctx, key);
    await ctx.locks.acquire(dir);
    const student = models.copy(generator);
    // The generator is frozen for the whole round: its labelling passes run on one inference view.
    const frozenThreads = ctx.options.graphs?.threads;
    const generatorView = (frozenThreads ? generator.frozenView?.(frozenThreads) : undefined) ?? generator;
    const cached = exp.selfTraining.labelling === 'cached';
    const qualityFile = path.join(dir, 'pseudo-label-quality.json');
    const checkpointer = models.checkpointer(dir);
    const spec = stageFromConfig(`round-${round}`, round, exp.selfTraining.train, space.classes.map((c) => c.index));
    const finished = (checkpointer.latest(spec.name)?.meta.step ?? -1) >= spec.iterations && fs.existsSync(qualityFile);
    let pseudoLabels: Map<string, LabelMap> | undefined;
    if (!finished) {
      // Label the whole training set once: the cached labels train the student (cached mode), and in either
      // mode they measure the round's pseudo-label quality against the hidden labels.
      print(`round ${round}: labelling the training set with ${labeler.name}`);
      // Streamed: quality and examples take each sample as it comes; only cached mode keeps the labels.
      const acc = metrics.pseudoLabelQuality(space, round);
      const kept = new ExampleMaps(path.join(dir, EXAMPLES_DIR), exp.eval.examples);
      const labels = cached ? new Map<string, LabelMap>() : undefined;
      await forEachLabelled(generatorView, labeler, data.pass('train', exp.eval.batchSize), unseen, (s) => {
        acc.add(s.pseudo, s.target, s.hidden);
        kept.add(s.id, s.pseudo);
        labels?.set(s.id, s.pseudo);
      });
      writeFileAtomic(qualityFile, JSON.stringify(acc.json(), null, 2) + '\n');
      kept.finish('train');
      print(acc.table());
      pseudoLabels = labels;
    }
    ctx.quality.push({ round, quality: readPseudoLabelQuality(JSON.parse(fs.readFileSync(qualityFile, 'utf8')), qualityFile) });
    // The folder's lock is held since labelling; trainInStageFolder's acquire is then a no-op.
    const result = await trainInStageFolder(ctx, {
      model: student,
      spec,
      key,
      label: `round ${round}`,
      openSource: (startStep) => data.trainingBatches({ batchSize: exp.selfTraining.train.batchSize, seed: exp.seed + 1000 * round, startStep, pseudoLabels }),
      targets: cached ? undefined : onlineTargets(generatorView, labeler, unseen),
    });
    if (generatorView !== generator) generatorView.dispose();
    generator.dispose();
    ctx.model = student;
    if (ctx.stopAfter === key) return stopHere(ctx, student);
    ctx.supervised = false;
    const outcome = await scoreStage(ctx, { model: student, name: `round-${round}`, key, trained: result.stepsRun > 0, t0 });
    ctx.previousKey = key;
    return outcome;
  }
}
