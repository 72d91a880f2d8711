import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ConfigError,
  ExperimentSchema,
  configHash,
  validateOptions,
  writeFileAtomic,
  ZlsError,
  type DataService,
  type FeatureGenerationStage,
  type LabelMap,
  type MetricsService,
  type ModelService,
  type Plain,
  type PseudoLabeler,
  type SegmentationModel,
  readPseudoLabelQuality,
} from '@zls/core';
import { forEachLabelled } from '../self-training/label-training-set';
import { onlineTargets } from '../self-training/target-providers';
import { JsonlLog } from '../train/jsonl-log';
import { ProgressLine } from '../train/progress';
import { recordVariables, restoreVariables, trainStage } from '../train/train-stage';
import type { GraphTrainingOptions } from '../train/step-runners';
import { bestGamma, evaluateModel } from './evaluate-model';
import { withFrozenView, withTestView } from './frozen-view';
import { EXAMPLES_DIR, ExampleMaps } from './example-maps';
import type { CalibrationOutcome, RunResult, StageOutcome } from './run-result';
import { baseStageKey, generativeStageKey, heldOutStageKey, roundStageKey } from './stage-keys';
import { StageLocks, type StageLockOptions } from './stage-lock';
import { planStages } from './stage-plan';
import { stageFromConfig } from './stage-from-config';

export interface RunServices {
  data: DataService;
  models: ModelService;
  metrics: MetricsService;
  /** The experiment's pseudo-labeler (required when selfTraining.rounds > 0). */
  labeler?: PseudoLabeler;
  /** Data whose class space hides calibration.heldOutClasses (required by the held-out-seen rule). */
  heldOutData?: DataService;
  /** ZS3Net's generative stage, run after the supervised one when the experiment has a `generative` section. */
  featureGeneration?: FeatureGenerationStage;
}

export interface RunExperimentOptions {
  config: Plain;
  services: RunServices;
  /** This run's folder: results, metrics, logs. */
  runDir: string;
  /** Shared folder of stage checkpoints, keyed by stage identity (reused across runs). */
  stageRoot: string;
  /** Console output (progress goes to stderr). */
  print?: (line: string) => void;
  showProgress?: boolean;
  /** Aborting it (SIGINT) makes the running stage save a checkpoint and stop; a rerun resumes. */
  signal?: AbortSignal;
  /** Train through onnxruntime graphs (where the model builds them); absent: tfjs autodiff. */
  graphs?: GraphTrainingOptions;
  /** Stage folder locks (two processes never write one stage): wait for another writer (default) or refuse. */
  stageLocks?: Pick<StageLockOptions, 'wait' | 'pollMs' | 'liveness'>;
}

/** Inside runExperiment: the run's stage locks, and where a stage job stops. */
interface StageRunOptions extends RunExperimentOptions {
  locks: StageLocks;
  /** A stage job: stop once the stage with this key is trained; nothing is scored, no results are written. */
  stopAfter?: string;
}

/**
 * One experiment end to end: the supervised SPNet stage, optional calibration (SPNet-c), and rounds of
 * self-training (SPNet+ST, ZS5-style top-p, STRICT), with every stage scored on the evaluation split and
 * every round's pseudo-labels scored against the hidden labels.
 */
export async function runExperiment(options: RunExperimentOptions): Promise<RunResult> {
  return (await withStageLocks(options, (locks) => runStages({ ...options, locks }))) as RunResult;
}

/**
 * A stage job (one node of an ablation's stage graph): trains this experiment's stages up to and including the
 * one keyed `stageKey` (finished ones are read back) and stops there; nothing is scored, no results are written.
 */
export async function trainStagesUpTo(options: RunExperimentOptions, stageKey: string): Promise<void> {
  const planned = planStages(options.config).map((s) => s.key);
  if (!planned.includes(stageKey)) throw new ZlsError(`${stageKey} is not a stage of this experiment (its stages: ${planned.join(', ')})`);
  await withStageLocks(options, (locks) => runStages({ ...options, locks, stopAfter: stageKey }));
}

async function withStageLocks<T>(options: RunExperimentOptions, body: (locks: StageLocks) => Promise<T>): Promise<T> {
  const locks = new StageLocks({ ...options.stageLocks, print: options.print, signal: options.signal });
  try {
    return await body(locks);
  } finally {
    locks.releaseAll();
  }
}

async function runStages(options: StageRunOptions): Promise<RunResult | undefined> {
  const started = Date.now();
  const { config, services, runDir } = options;
  const print = options.print ?? (() => undefined);
  const exp = validateOptions(ExperimentSchema, config, '');
  const { data, models, metrics } = services;
  const space = data.classSpace;
  const seen = space.seenIndices;
  const unseen = space.unseenIndices;
  const all = space.classes.map((c) => c.index);
  const batchSize = exp.eval?.batchSize ?? 16;
  const examples = exp.eval?.examples ?? 4;
  // Each stage logs into its own folder, so a run that reuses a stage still finds its training curve.
  const stageLog = (stageDir: string) => new JsonlLog(path.join(stageDir, 'train.jsonl'));
  const stages: StageOutcome[] = [];
  const quality: RunResult['pseudoLabelQuality'] = [];
  fs.mkdirSync(runDir, { recursive: true });

  const trainBatchSize = (section: { batchSize: number } | undefined) => section?.batchSize ?? 16;
  // With graph engines on, frozen passes run as whole-graph inference too.
  const frozenThreads = options.graphs?.threads;
  // `supervised`: the model is SPNet's supervised stage, which a multi-scale SPNet scores as the reference does.
  const evaluate = async (model: SegmentationModel, name: string, key: string, trained: boolean, t0: number, gamma = 0, supervised = false) => {
    // A stage job scores nothing: the run that uses the stage does.
    if (options.stopAfter !== undefined) return { name, key, headline: { seen: NaN, unseen: NaN, harmonic: NaN }, trained, seconds: 0 } as StageOutcome;
    const kept = new ExampleMaps(path.join(runDir, EXAMPLES_DIR, name), examples);
    const [acc] = await withTestView(model, supervised, (scored) =>
      withFrozenView(scored, frozenThreads, (m) => evaluateModel(m, data.pass('eval', batchSize), metrics, space, { seen, unseen }, [gamma], (id, p) => kept.add(id, p))),
    );
    kept.finish('eval');
    writeFileAtomic(path.join(runDir, 'metrics', `${name}.json`), JSON.stringify(acc.json(), null, 2) + '\n');
    const dir = path.relative(runDir, path.join(options.stageRoot, key));
    const outcome: StageOutcome = { name, key, dir, headline: acc.headline(), trained, seconds: (Date.now() - t0) / 1000 };
    stages.push(outcome);
    const h = outcome.headline;
    const note = gamma !== 0 ? ` (γ = ${gamma})` : trained ? '' : ' (stage reused)';
    // NaN: no class of that group occurs in the evaluation split (a small test folder), not a failed score.
    const score = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : 'n/a');
    print(`${name}: seen ${score(h.seen)} | unseen ${score(h.unseen)} | harmonic ${score(h.harmonic)}${note}`);
    return outcome;
  };

  const stopped = (m: SegmentationModel) => {
    m.dispose();
    return undefined;
  };
  // A stage job for SPNet-c's held-out SPNet needs no other stage.
  if (options.stopAfter !== undefined && options.stopAfter === heldOutStageKey(config, exp.calibration)) return stopped(await trainHeldOutStage(options, exp));

  // 1. The supervised stage on seen classes only.
  let t0 = Date.now();
  const baseKey = baseStageKey(config);
  const baseSpec = stageFromConfig('spnet', 0, exp.train, seen);
  let model = models.create(exp.seed);
  await options.locks.acquire(path.join(options.stageRoot, baseKey));
  const baseResult = await trainStage({
    model,
    spec: baseSpec,
    openSource: (startStep) => data.trainingBatches({ batchSize: trainBatchSize(exp.train), seed: exp.seed, startStep }),
    checkpointer: models.checkpointer(path.join(options.stageRoot, baseKey)),
    configHash: baseKey,
    classSpaceName: space.name,
    log: stageLog(path.join(options.stageRoot, baseKey)),
    progress: options.showProgress ? new ProgressLine('spnet', baseSpec.iterations) : undefined,
    signal: options.signal,
    graphs: options.graphs,
    fromInitialWeights: true,
  });
  options.locks.release(path.join(options.stageRoot, baseKey));
  if (baseResult.resumedFrom > 0 && baseResult.stepsRun > 0) print(`spnet: resumed from the step-${baseResult.resumedFrom} checkpoint`);
  if (options.stopAfter === baseKey) return stopped(model);
  let last = await evaluate(model, 'spnet', baseKey, baseResult.stepsRun > 0, t0, 0, true);
  let previousKey = baseKey;
  // Whether `model` is still the supervised stage's (calibration then scores it as that stage was scored).
  let supervised = true;

  // 1b. ZS3Net: generated unseen features retrain the classifier (no unseen label is read).
  if (services.featureGeneration) {
    t0 = Date.now();
    const key = generativeStageKey(previousKey, config);
    const stageDir = path.join(options.stageRoot, key);
    const checkpointer = models.checkpointer(stageDir);
    await options.locks.acquire(stageDir);
    const saved = checkpointer.latest('zs3');
    if (saved) restoreVariables(model.stateVariables(), saved.weights);
    else {
      print('zs3: training the feature generator and retraining the classifier');
      const log = stageLog(stageDir);
      await services.featureGeneration.run(model, data.pass('train', batchSize), { classSpace: space, seed: exp.seed, log: (r) => log.write(r), graphs: options.graphs });
      checkpointer.save(recordVariables(model.stateVariables()), {}, { configHash: key, classSpace: space.name, stage: 'zs3', round: 0, step: 1 });
    }
    options.locks.release(stageDir);
    if (options.stopAfter === key) return stopped(model);
    last = await evaluate(model, 'zs3net', key, !saved, t0);
    previousKey = key;
    supervised = false;
  }

  // 2. Rounds of self-training: the student starts as a copy of its generator, with a fresh optimiser.
  const rounds = exp.selfTraining?.rounds ?? 0;
  if (rounds > 0 && !services.labeler) throw new ConfigError([{ path: 'selfTraining.pseudoLabel', message: 'required when rounds > 0' }]);
  for (let round = 1; round <= rounds; round++) {
    t0 = Date.now();
    const key = roundStageKey(previousKey, config, round);
    const stageDir = path.join(options.stageRoot, key);
    await options.locks.acquire(stageDir);
    const labeler = services.labeler as PseudoLabeler;
    const generator = model;
    const student = models.copy(generator);
    // The generator is frozen for the whole round: its labelling passes run on one inference view.
    const generatorView = (frozenThreads ? generator.frozenView?.(frozenThreads) : undefined) ?? generator;
    const cached = (exp.selfTraining?.labelling ?? 'cached') === 'cached';
    const qualityFile = path.join(stageDir, 'pseudo-label-quality.json');
    const checkpointer = models.checkpointer(stageDir);
    const spec = stageFromConfig(`round-${round}`, round, exp.selfTraining?.train, all);
    const finished = (checkpointer.latest(spec.name)?.meta.step ?? -1) >= spec.iterations && fs.existsSync(qualityFile);
    let pseudoLabels: Map<string, LabelMap> | undefined;
    if (!finished) {
      // Label the whole training set once: the cached labels train the student (cached mode), and in either
      // mode they measure the round's pseudo-label quality against the hidden labels.
      print(`round ${round}: labelling the training set with ${labeler.name}`);
      // Streamed: quality and examples take each sample as it comes; only cached mode keeps the labels.
      const acc = metrics.pseudoLabelQuality(space, round);
      const kept = new ExampleMaps(path.join(stageDir, EXAMPLES_DIR), examples);
      const labels = cached ? new Map<string, LabelMap>() : undefined;
      await forEachLabelled(generatorView, labeler, data.pass('train', batchSize), unseen, (s) => {
        acc.add(s.pseudo, s.target, s.hidden);
        kept.add(s.id, s.pseudo);
        labels?.set(s.id, s.pseudo);
      });
      writeFileAtomic(qualityFile, JSON.stringify(acc.json(), null, 2) + '\n');
      kept.finish('train');
      print(acc.table());
      pseudoLabels = labels;
    }
    // A stage finished by an older zls names coverage `recall`: read it into the current schema.
    quality.push({ round, quality: readPseudoLabelQuality(JSON.parse(fs.readFileSync(qualityFile, 'utf8')), qualityFile) });
    const result = await trainStage({
      model: student,
      spec,
      openSource: (startStep) =>
        data.trainingBatches({ batchSize: trainBatchSize(exp.selfTraining?.train), seed: exp.seed + 1000 * round, startStep, pseudoLabels }),
      targets: cached ? undefined : onlineTargets(generatorView, labeler, unseen),
      checkpointer,
      configHash: key,
      classSpaceName: space.name,
      log: stageLog(stageDir),
      progress: options.showProgress ? new ProgressLine(`round ${round}`, spec.iterations) : undefined,
      signal: options.signal,
      graphs: options.graphs,
    });
    options.locks.release(stageDir);
    if (result.resumedFrom > 0 && result.stepsRun > 0) print(`round-${round}: resumed from the step-${result.resumedFrom} checkpoint`);
    if (generatorView !== generator) generatorView.dispose();
    generator.dispose();
    model = student;
    if (options.stopAfter === key) return stopped(model);
    supervised = false;
    last = await evaluate(model, `round-${round}`, key, result.stepsRun > 0, t0);
    previousKey = key;
  }

  // 3. Calibration (SPNet-c): γ chosen by the configured rule, then the final model scored with it.
  let calibration: CalibrationOutcome | undefined;
  const rule = exp.calibration?.rule ?? 'none';
  if (rule !== 'none') {
    t0 = Date.now();
    const gammas = exp.calibration?.gammas ?? [0];
    const chosen = await chooseGamma(rule, gammas, options, exp, model, supervised);
    calibration = chosen;
    last = await evaluate(model, rule === 'oracle-val' ? 'calibrated-oracle' : 'calibrated', previousKey, false, t0, chosen.gamma, supervised);
    print(`calibration (${rule}): γ = ${chosen.gamma}`);
  }
  model.dispose();

  const result: RunResult = {
    name: exp.name,
    seed: exp.seed,
    configHash: configHash(config),
    headline: last.headline,
    stages,
    calibration,
    labeller: rounds > 0 ? services.labeler?.rule : undefined,
    pseudoLabelQuality: quality,
    seconds: (Date.now() - started) / 1000,
  };
  writeFileAtomic(path.join(runDir, 'results.json'), JSON.stringify(result, null, 2) + '\n');
  return result;
}

async function chooseGamma(
  rule: 'held-out-seen' | 'oracle-val',
  gammas: readonly number[],
  options: StageRunOptions,
  exp: ExperimentSchema,
  model: SegmentationModel,
  supervised: boolean,
): Promise<CalibrationOutcome> {
  const { services } = options;
  const batchSize = exp.eval?.batchSize ?? 16;
  if (rule === 'oracle-val') {
    // Uses unseen labels of the calibration split: optimistic, and labelled as an oracle in every table.
    const space = services.data.classSpace;
    const accs = await withTestView(model, supervised, (scored) =>
      withFrozenView(scored, options.graphs?.threads, (m) =>
        evaluateModel(m, services.data.pass('calibration', batchSize), services.metrics, space, { seen: space.seenIndices, unseen: space.unseenIndices }, gammas),
      ),
    );
    const { gamma } = bestGamma(gammas, accs);
    return { rule, gamma, sweep: gammas.map((g, i) => ({ gamma: g, harmonic: accs[i].headline().harmonic })) };
  }
  // Fair rule: a second SPNet trained with the held-out seen classes hidden picks γ on them alone.
  const held = services.heldOutData;
  if (!held) throw new ConfigError([{ path: 'calibration.rule', message: 'held-out-seen needs calibration.heldOutClasses and a dataset that supports them' }]);
  const space = held.classSpace;
  const proxy = await trainHeldOutStage(options, exp);
  try {
    const accs = await withTestView(proxy, true, (scored) =>
      withFrozenView(scored, options.graphs?.threads, (m) =>
        evaluateModel(m, held.pass('calibration', batchSize), services.metrics, space, { seen: space.seenIndices, unseen: space.unseenIndices }, gammas),
      ),
    );
    const { gamma } = bestGamma(gammas, accs);
    return { rule, gamma, sweep: gammas.map((g, i) => ({ gamma: g, harmonic: accs[i].headline().harmonic })) };
  } finally {
    proxy.dispose();
  }
}

/** SPNet-c's held-out SPNet (the held-out-seen rule): trained, or read back from its stage folder. */
async function trainHeldOutStage(options: StageRunOptions, exp: ExperimentSchema): Promise<SegmentationModel> {
  const { services } = options;
  const held = services.heldOutData;
  if (!held) throw new ConfigError([{ path: 'calibration.rule', message: 'held-out-seen needs calibration.heldOutClasses and a dataset that supports them' }]);
  const space = held.classSpace;
  const spec = stageFromConfig('spnet-held-out', 0, exp.train, space.seenIndices);
  const key = heldOutStageKey(options.config, exp.calibration);
  const stageDir = path.join(options.stageRoot, key);
  const proxy = services.models.create(exp.seed);
  try {
    await options.locks.acquire(stageDir);
    await trainStage({
      model: proxy,
      spec,
      openSource: (startStep) => held.trainingBatches({ batchSize: exp.train?.batchSize ?? 16, seed: exp.seed, startStep }),
      checkpointer: services.models.checkpointer(stageDir),
      configHash: key,
      classSpaceName: space.name,
      // Its training curve lives beside its checkpoints, as every other stage's does.
      log: new JsonlLog(path.join(stageDir, 'train.jsonl')),
      progress: options.showProgress ? new ProgressLine('spnet (held-out seen)', spec.iterations) : undefined,
      signal: options.signal,
      graphs: options.graphs,
      // Like SPNet's own stage it starts from the initial weights: a randomly initialised frozen-BN ResNet then
      // estimates its batch-norm statistics from the first batch (without that its loss went NaN at step 2).
      fromInitialWeights: true,
    });
    options.locks.release(stageDir);
    return proxy;
  } catch (e) {
    proxy.dispose();
    throw e;
  }
}
