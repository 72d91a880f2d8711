import 'reflect-metadata';
import { IsIn, IsNumber } from 'class-validator';
import { injectable } from 'tsyringe';
import { ConfigError } from '../errors';
import { Registries } from '../registry/registries';
import { CalibrationSection, EvalSection, ExperimentSchema, TrainSection } from './experiment-schema';
import { experimentIssues, typedExperiment, validateExperiment } from './validate-experiment';

class FakeDatasetOptions {
  @IsIn(['train', 'val']) split = 'train';
}
@injectable()
class FakeDataset {}

class FakeBackboneOptions {
  @IsIn([8, 16]) outputStride = 16;
  @IsNumber() width = 1;
}
@injectable()
class FakeBackbone {}

function registries(): Registries {
  const r = new Registries();
  r.dataset.register('fake', FakeDataset as never, FakeDatasetOptions, 'test dataset');
  r.backbone.register('fake', FakeBackbone as never, FakeBackboneOptions, 'test backbone');
  return r;
}

describe('validateExperiment', () => {
  it('accepts a complete, valid experiment', () => {
    expect(
      experimentIssues(
        { name: 'ok', seed: 1, dataset: { type: 'fake', split: 'val' }, model: { backbone: { type: 'fake', outputStride: 8 } }, train: { iterations: 5 } },
        registries(),
      ),
    ).toEqual([]);
  });

  it("validates SPNet's multi-scale option: positive scales that include 1, a boolean max, a test mode", () => {
    const issues = (multiScale: unknown) =>
      Object.fromEntries(experimentIssues({ name: 'ms', dataset: { type: 'fake' }, model: { backbone: { type: 'fake' }, multiScale } }, registries()).map((i) => [i.path, i.message]));
    expect(issues({ scales: [1, 0.5, 0.75], max: true })).toEqual({});
    expect(issues({})).toEqual({});
    expect(issues({ scales: [1, 0.5, 0.75], max: true, test: 'single-scale' })).toEqual({});
    expect(issues({ scales: [0.5, 0.75] })['model.multiScale.scales']).toMatch(/must contain 1/);
    expect(issues({ scales: [1, -0.5] })['model.multiScale.scales']).toMatch(/positive/);
    expect(issues({ scales: [1, 0] })['model.multiScale.scales']).toMatch(/positive/);
    expect(issues({ scales: [1, 'half'] })['model.multiScale.scales']).toMatch(/number/);
    expect(issues({ scales: [1, 0.5, 0.5] })['model.multiScale.scales']).toMatch(/unique/);
    expect(issues({ scales: [] })['model.multiScale.scales']).toMatch(/should not be empty|must contain 1/);
    expect(issues({ scales: 0.5 })['model.multiScale.scales']).toMatch(/must be an array/);
    expect(issues({ max: 'yes' })['model.multiScale.max']).toMatch(/boolean/);
    expect(issues({ test: 'mean' })['model.multiScale.test']).toMatch(/must be one of the following values: max, single-scale/);
    expect(issues({ pyramids: [0.5] })['model.multiScale.pyramids']).toMatch(/unknown option \(allowed: max, scales, test\)/);
    expect(issues(true)['model.multiScale']).toMatch(/object/);
  });

  it('reports every problem at once with full paths', () => {
    const issues = experimentIssues(
      {
        name: 'bad name!',
        seed: -1,
        dataset: { type: 'fake', split: 'test' },
        model: { backbone: { type: 'fake', outputStride: 32 }, neck: {} },
        train: { iterations: 0, optimiser: 'sgd' },
        extra: 1,
      },
      registries(),
    );
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath['name']).toMatch(/letters, digits/);
    expect(byPath['seed']).toMatch(/must not be less than 0/);
    expect(byPath['dataset.split']).toMatch(/must be one of the following values: train, val/);
    expect(byPath['model.backbone.outputStride']).toMatch(/must be one of the following values: 8, 16/);
    expect(byPath['model.neck']).toMatch(/unknown option \(allowed: backbone, classifier, head, multiScale, upsampling\)/);
    expect(byPath['train.iterations']).toMatch(/must not be less than 1/);
    expect(byPath['train.optimiser']).toMatch(/unknown option/);
    expect(byPath['extra']).toMatch(/unknown option/);
  });

  it('requires a dataset and lists the registered types for an unknown one', () => {
    expect(experimentIssues({ name: 'x' }, registries())).toContainEqual({ path: 'dataset', message: 'required: a dataset with a "type" key' });
    expect(() => validateExperiment({ dataset: { type: 'voc' } }, registries(), 'exp.yaml')).toThrow(
      /invalid configuration in exp\.yaml:\n {2}dataset\.type: unknown dataset "voc"; registered: fake/,
    );
  });

  it('validates list slots item by item and nested component slots', () => {
    const r = registries();
    r.transform.register('flip', FakeDataset as never, FakeDatasetOptions, 'test transform');
    const issues = experimentIssues(
      { dataset: { type: 'fake' }, transforms: [{ type: 'flip' }, { type: 'crop' }], evalTransforms: { type: 'flip' }, selfTraining: { rounds: 2, pseudoLabel: { type: 'strict' } } },
      r,
    );
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath['transforms.1.type']).toMatch(/unknown transform "crop"; registered: flip/);
    expect(byPath['evalTransforms']).toMatch(/expected a list of transform configs/);
    expect(byPath['selfTraining.pseudoLabel.type']).toMatch(/unknown pseudo-labeler "strict"/);
    expect(byPath['transforms.0.type']).toBeUndefined();
  });

  it('throws a ConfigError carrying the issues', () => {
    try {
      validateExperiment({ dataset: { type: 'fake' }, seed: 'zero' }, registries());
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).issues[0].path).toBe('seed');
    }
  });

  it('returns the experiment typed: every section present with its defaults, the raw config left as written', () => {
    const raw = { dataset: { type: 'fake' }, train: { iterations: 5 }, selfTraining: { rounds: 1 } };
    const written = JSON.stringify(raw);
    const exp = validateExperiment(raw, registries());
    expect(exp).toBeInstanceOf(ExperimentSchema);
    expect(exp.train).toEqual(Object.assign(new TrainSection(), { iterations: 5 }));
    expect(exp.selfTraining.rounds).toBe(1);
    expect(exp.selfTraining.labelling).toBe('cached');
    expect(exp.selfTraining.train).toEqual(new TrainSection());
    expect(exp.splits).toEqual({ train: 'train', eval: 'test', calibration: 'val' });
    expect(exp.eval).toEqual(new EvalSection());
    expect(exp.loader.workers).toBe(1);
    expect(exp.calibration).toEqual(new CalibrationSection());
    expect(exp.calibration.gammas).toHaveLength(22);
    expect(exp.name).toBe('experiment');
    expect(JSON.stringify(raw)).toBe(written);
  });

  it('rejects a section that is not a mapping, naming it', () => {
    expect(experimentIssues({ dataset: { type: 'fake' }, eval: 5 }, registries()).map((i) => i.path)).toContain('eval');
  });

  it('typedExperiment converts without validating (for configs experimentIssues already passed)', () => {
    const exp = typedExperiment({ dataset: { type: 'fake' }, calibration: { rule: 'oracle-val' } });
    expect(exp.calibration.rule).toBe('oracle-val');
    expect(exp.calibration.gammas).toEqual(new CalibrationSection().gammas);
    expect(exp.train.batchSize).toBe(16);
  });
});
