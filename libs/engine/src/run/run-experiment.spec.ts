import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ConfigError, ExperimentSchema, validateOptions, type FeatureGenerationStage, type Plain } from '@zls/core';
import { useTempDir } from '@zls/testing';
import { FakeDataService, FakeModelService, fakeClassSpace, fakeLabeler, fakeMetrics, type FakeImage, type RunEvent } from '../testing/fake-run-services';
import type { RunExperimentOptions, RunServices } from './run-context';
import { runExperiment, trainStagesUpTo } from './run-experiment';
import { baseStageKey, generativeStageKey, heldOutStageKey, roundStageKey } from './stage-keys';
import { planStages } from './stage-plan';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const dir = useTempDir('zls-run-experiment-');

const GAMMAS = [0, 0.1, 0.3, 0.5, 0.7];
/** Calibration pixels turn unseen one by one as γ passes 0.05, 0.25, 0.45, 0.65: γ_k makes k of them unseen. */
const CALIBRATION: FakeImage = { gaps: [0.05, 0.25, 0.45, 0.65], labels: [1, 1, 1, 1] };
/** Evaluation: one pixel turns unseen past γ = 0.2, the other past 0.6. */
const EVAL: FakeImage = { gaps: [0.2, 0.6], labels: [1, 3] };
const TRAIN: FakeImage = { gaps: [0.5, 0.5], labels: [1, 3] };
const MAIN_SPACE = 'fake';
const HELD_OUT_SPACE = 'fake (held-out seen: b)';

interface Harness {
  events: RunEvent[];
  models: FakeModelService;
  stageRoot: string;
  services: (extra?: Partial<RunServices>) => RunServices;
  options: (config: Plain, services: RunServices, runName: string) => RunExperimentOptions;
}

/**
 * The oracle rule is best with 2 calibration pixels unseen (γ = 0.3) on the experiment's own class space; on the
 * held-out space (b plays unseen, c is dropped) the best is 1 (γ = 0.1). Which γ a run picks says which data and
 * class space its rule looked at.
 */
function harness(): Harness {
  const events: RunEvent[] = [];
  const models = new FakeModelService(events);
  const metrics = fakeMetrics({ [MAIN_SPACE]: 2, [HELD_OUT_SPACE]: 1 });
  const splits = { train: TRAIN, eval: EVAL, calibration: CALIBRATION };
  const data = new FakeDataService('main', fakeClassSpace(MAIN_SPACE), splits, events);
  const heldOutData = new FakeDataService('held-out', fakeClassSpace(HELD_OUT_SPACE, [1], [2]), splits, events);
  const stageRoot = path.join(dir(), 'stages');
  return {
    events,
    models,
    stageRoot,
    services: (extra = {}) => ({ data, models, metrics, heldOutData, ...extra }),
    options: (config, services, runName) => ({
      experiment: validateOptions(ExperimentSchema, config, ''),
      config,
      services,
      runDir: path.join(dir(), runName),
      stageRoot,
    }),
  };
}

const base = { name: 'fake-run', seed: 3, dataset: { type: 'fake' }, train: { iterations: 2 } };
const saves = (events: RunEvent[]) => events.flatMap((e) => (e.kind === 'save' ? [{ key: path.basename(e.dir), name: e.stage }] : []));

describe('runExperiment: the two calibration rules', () => {
  it('oracle-val picks γ on the calibration split of the experiment itself (its unseen labels) and trains nothing more', async () => {
    const h = harness();
    const config = { ...base, calibration: { rule: 'oracle-val', gammas: GAMMAS } };
    const result = await runExperiment(h.options(config, h.services(), 'run'));

    expect(result.calibration).toEqual({ rule: 'oracle-val', gamma: 0.3, sweep: GAMMAS.map((gamma, k) => ({ gamma, harmonic: 0 - Math.abs(k - 2) })) });
    expect(result.stages.map((s) => s.name)).toEqual(['spnet', 'calibrated-oracle']);
    // Scored at γ = 0.3: the evaluation pixel with gap 0.2 turns unseen, the one with 0.6 does not.
    expect(result.headline).toEqual({ seen: 1, unseen: 1, harmonic: -1 });
    expect(result.stages[1].key).toBe(baseStageKey(config));
    expect(h.events.filter((e) => e.kind === 'create')).toHaveLength(1);
    expect(h.events.some((e) => e.kind === 'pass' && e.data === 'held-out')).toBe(false);
    expect(h.events).toContainEqual({ kind: 'pass', data: 'main', split: 'calibration' });
    expect(JSON.parse(fs.readFileSync(path.join(dir(), 'run', 'results.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(result)));
  });

  it('held-out-seen trains a second SPNet on the held-out data and picks γ on its calibration split alone', async () => {
    const h = harness();
    const config = { ...base, calibration: { rule: 'held-out-seen', gammas: GAMMAS, heldOutClasses: [2] } };
    const options = h.options(config, h.services(), 'run');
    const result = await runExperiment(options);

    expect(result.calibration).toEqual({ rule: 'held-out-seen', gamma: 0.1, sweep: GAMMAS.map((gamma, k) => ({ gamma, harmonic: 0 - Math.abs(k - 1) })) });
    expect(result.stages.map((s) => s.name)).toEqual(['spnet', 'calibrated']);
    // Scored at γ = 0.1: neither evaluation pixel turns unseen.
    expect(result.headline).toEqual({ seen: 2, unseen: 0, harmonic: -2 });
    // The held-out SPNet: its own model from the experiment's seed, trained on the held-out data under its own key.
    const heldKey = heldOutStageKey(config, options.experiment.calibration);
    expect(h.events.filter((e) => e.kind === 'create')).toEqual([
      { kind: 'create', seed: 3 },
      { kind: 'create', seed: 3 },
    ]);
    expect(h.events).toContainEqual({ kind: 'training-batches', data: 'held-out', seed: 3, startStep: 0, pseudoLabels: false });
    expect(saves(h.events)).toEqual([
      { key: baseStageKey(config), name: 'spnet' },
      { key: heldKey, name: 'spnet-held-out' },
    ]);
    const calibrationPasses = h.events.filter((e) => e.kind === 'pass' && e.split === 'calibration');
    expect(calibrationPasses).toEqual([{ kind: 'pass', data: 'held-out', split: 'calibration' }]);
  });

  it('held-out-seen without held-out data is a config error naming calibration.rule', async () => {
    const h = harness();
    const config = { ...base, calibration: { rule: 'held-out-seen', heldOutClasses: [2] } };
    const run = runExperiment(h.options(config, h.services({ heldOutData: undefined }), 'run'));
    await expect(run).rejects.toThrow(ConfigError);
    await expect(runExperiment(h.options(config, h.services({ heldOutData: undefined }), 'run2'))).rejects.toThrow(/calibration\.rule/);
  });
});

describe('runExperiment: stages shared by key', () => {
  it('two configs that share a supervised stage train it once; a different schedule trains its own', async () => {
    const h = harness();
    const spnet = { ...base };
    const strict = { ...base, selfTraining: { rounds: 1, pseudoLabel: { type: 'fake' }, train: { iterations: 2 } }, calibration: { rule: 'oracle-val', gammas: GAMMAS } };
    const first = await runExperiment(h.options(spnet, h.services(), 'spnet'));
    const second = await runExperiment(h.options(strict, h.services({ labeler: fakeLabeler }), 'strict'));

    expect(baseStageKey(strict)).toBe(baseStageKey(spnet));
    expect(first.stages.map((s) => [s.name, s.trained])).toEqual([['spnet', true]]);
    expect(second.stages.map((s) => [s.name, s.trained])).toEqual([
      ['spnet', false],
      ['round-1', true],
      ['calibrated-oracle', false],
    ]);
    expect(second.stages[0].key).toBe(first.stages[0].key);
    expect(second.stages[0].headline).toEqual(first.stages[0].headline);
    const spnetSaves = saves(h.events).filter((s) => s.name === 'spnet');
    expect(spnetSaves).toEqual([{ key: baseStageKey(spnet), name: 'spnet' }]);
    // The supervised stage's data was opened once, by the first run.
    expect(h.events.filter((e) => e.kind === 'training-batches' && e.seed === 3)).toHaveLength(1);
    // The student trains on the cached pseudo-labels, with its round's seed.
    expect(h.events).toContainEqual({ kind: 'training-batches', data: 'main', seed: 1003, startStep: 0, pseudoLabels: true });

    const longer = { ...base, train: { iterations: 3 } };
    const third = await runExperiment(h.options(longer, h.services(), 'longer'));
    expect(third.stages[0].key).not.toBe(first.stages[0].key);
    expect(third.stages[0].trained).toBe(true);
  });
});

describe('runExperiment: the pipeline order', () => {
  const generation = (events: RunEvent[]): FeatureGenerationStage => ({
    run: async () => {
      events.push({ kind: 'feature-generation' });
    },
  });
  const full = {
    ...base,
    model: { classifier: 'linear' },
    generative: { type: 'fake-generator' },
    selfTraining: { rounds: 2, pseudoLabel: { type: 'fake' }, train: { iterations: 1 } },
    calibration: { rule: 'held-out-seen', gammas: GAMMAS, heldOutClasses: [2] },
  };

  it('supervised, feature generation, each round, calibration: scored and checkpointed in the order planStages lists', async () => {
    const h = harness();
    const options = h.options(full, h.services({ labeler: fakeLabeler, featureGeneration: generation(h.events) }), 'run');
    const result = await runExperiment(options);

    expect(result.stages.map((s) => s.name)).toEqual(['spnet', 'zs3net', 'round-1', 'round-2', 'calibrated']);
    const spnetKey = baseStageKey(full);
    const zs3Key = generativeStageKey(spnetKey, full);
    const round1 = roundStageKey(zs3Key, full, 1);
    const round2 = roundStageKey(round1, full, 2);
    expect(result.stages.map((s) => s.key)).toEqual([spnetKey, zs3Key, round1, round2, round2]);
    expect(saves(h.events)).toEqual(planStages(options.experiment, full).map(({ key, name }) => ({ key, name })));
    expect(result.pseudoLabelQuality.map((q) => q.round)).toEqual([1, 2]);
    expect(result.labeller).toBe(fakeLabeler.rule);
    // Feature generation ran once, after the supervised stage was trained and before the first round's copy.
    const kinds = h.events.map((e) => e.kind);
    expect(kinds.indexOf('feature-generation')).toBeGreaterThan(kinds.indexOf('save'));
    expect(kinds.indexOf('feature-generation')).toBeLessThan(kinds.indexOf('copy'));
  });

  it('a stage job trains up to its stage and stops: nothing scored, no results; the held-out SPNet needs no other stage', async () => {
    const h = harness();
    const options = h.options(full, h.services({ labeler: fakeLabeler, featureGeneration: generation(h.events) }), 'job');
    const planned = planStages(options.experiment, full);
    await trainStagesUpTo(options, planned[2].key);
    expect(saves(h.events)).toEqual(planned.slice(0, 3).map(({ key, name }) => ({ key, name })));
    expect(h.events.some((e) => e.kind === 'pass' && e.split !== 'train')).toBe(false);
    expect(fs.existsSync(path.join(dir(), 'job', 'results.json'))).toBe(false);

    h.events.length = 0;
    const held = planned[planned.length - 1];
    expect(held.name).toBe('spnet-held-out');
    await trainStagesUpTo(options, held.key);
    expect(saves(h.events)).toEqual([{ key: held.key, name: 'spnet-held-out' }]);
    await expect(trainStagesUpTo(options, 'round9-nope')).rejects.toThrow(/is not a stage of this experiment/);
  });

  it('rounds without a pseudo-labeler stop before any stage trains, naming selfTraining.pseudoLabel', async () => {
    const h = harness();
    await expect(runExperiment(h.options({ ...base, selfTraining: { rounds: 1 } }, h.services(), 'run'))).rejects.toThrow(/selfTraining\.pseudoLabel/);
    expect(h.events).toEqual([]);
  });
});
