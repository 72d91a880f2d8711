import * as path from 'node:path';
import { ExperimentSchema, configHash, loadConfig } from '@zls/core';
import { loadExperiment } from './load-experiment';
import { createRegistries } from './registries';

const root = path.resolve(__dirname, '../../..');
const strict = path.join(root, 'experiments/strict/strict-2r_synthetic-net_1000+2x400_synthetic-64.yaml');

describe('loadExperiment', () => {
  it('returns the config as written (what is hashed) and the same config validated and typed', async () => {
    const { config, experiment } = await loadExperiment(strict, ['eval.batchSize=3'], createRegistries());
    expect(config).toEqual(loadConfig(strict, ['eval.batchSize=3']).config);
    expect(configHash(config)).toBe(configHash(loadConfig(strict, ['eval.batchSize=3']).config));
    expect(experiment).toBeInstanceOf(ExperimentSchema);
    expect(experiment.name).toBe(config['name']);
    expect(experiment.eval.batchSize).toBe(3);
    expect(experiment.selfTraining.rounds).toBe(2);
    // A default the file leaves out is filled in the typed experiment only.
    expect(config['calibration']).toBeUndefined();
    expect(experiment.calibration.rule).toBe('none');
    expect(experiment.eval.examples).toBe(4);
  });
});
