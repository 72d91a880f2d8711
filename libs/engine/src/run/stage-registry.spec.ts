import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ExperimentSchema, validateOptions } from '@zls/core';
import { useTempDir } from '@zls/testing';
import { FakeDataService, FakeModelService, fakeClassSpace, fakeLabeler, fakeMetrics, type RunEvent } from '../testing/fake-run-services';
import type { RunContext } from './run-context';
import { runExperiment } from './run-experiment';
import type { StageOutcome } from './run-result';
import type { RunStage } from './run-stage';
import { roundStageKey, baseStageKey } from './stage-keys';
import { builtInStages, StageRegistry, type StageKind } from './stage-registry';
import { scoreStage } from './train-and-score';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const dir = useTempDir('zls-stage-registry-');
const kind = (name: string, after?: string): StageKind => ({ kind: name, after, stagesFor: () => [] });

describe('StageRegistry', () => {
  it('keeps the built-in order and places a kind after the one it names, after kinds placed there before it', () => {
    expect(builtInStages().kinds()).toEqual(['supervised', 'feature-generation', 'self-training-round', 'calibration']);
    const stages = builtInStages().register(kind('probe', 'self-training-round')).register(kind('second-probe', 'self-training-round')).register(kind('last'));
    expect(stages.kinds()).toEqual(['supervised', 'feature-generation', 'self-training-round', 'probe', 'second-probe', 'calibration', 'last']);
  });

  it('refuses a kind twice and a position after an unknown kind, naming the registered ones', () => {
    expect(() => builtInStages().register(kind('calibration'))).toThrow(/stage kind "calibration" is already registered/);
    expect(() => new StageRegistry().register(kind('x', 'nope'))).toThrow(/runs after "nope", which is not registered \(registered: \)/);
  });
});

/** A plugin's stage: scores the chain's model under the key it came from, as a "probe" outcome. */
class ProbeStage implements RunStage {
  readonly name = 'probe';
  seenKey?: string;
  async run(ctx: RunContext): Promise<StageOutcome | undefined> {
    this.seenKey = ctx.previousKey;
    if (!ctx.model || !ctx.previousKey) throw new Error('probe needs a model');
    return scoreStage(ctx, { model: ctx.model, name: 'probe', key: ctx.previousKey, trained: false, t0: Date.now() });
  }
}

describe('runExperiment with a registered stage kind', () => {
  it("runs a plugin's stage where its kind is placed, on the chain's model, and records its outcome", async () => {
    const events: RunEvent[] = [];
    const image = { gaps: [0.2, 0.6], labels: [1, 3] };
    const data = new FakeDataService('main', fakeClassSpace('fake'), { train: image, eval: image, calibration: image }, events);
    const probe = new ProbeStage();
    const stages = builtInStages().register({ kind: 'probe', after: 'self-training-round', stagesFor: () => [probe] });
    const config = {
      name: 'probe-run',
      seed: 1,
      dataset: { type: 'fake' },
      train: { iterations: 1 },
      selfTraining: { rounds: 1, pseudoLabel: { type: 'fake' }, train: { iterations: 1 } },
      calibration: { rule: 'oracle-val', gammas: [0, 0.5] },
    };
    const result = await runExperiment({
      experiment: validateOptions(ExperimentSchema, config, ''),
      config,
      services: { data, models: new FakeModelService(events), metrics: fakeMetrics({}), labeler: fakeLabeler },
      runDir: path.join(dir(), 'run'),
      stageRoot: path.join(dir(), 'stages'),
      stages,
    });
    expect(result.stages.map((s) => s.name)).toEqual(['spnet', 'round-1', 'probe', 'calibrated-oracle']);
    expect(probe.seenKey).toBe(roundStageKey(baseStageKey(config), config, 1));
  });
});
