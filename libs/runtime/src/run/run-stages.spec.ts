import * as tf from '@tensorflow/tfjs';
import { ConfigError, Registries, type FeatureGenerationStage } from '@zls/core';
import type { StageKind } from '@zls/engine';
import { GmmnFeatureGenerationStage } from '@zls/models';
import { createRegistries } from '../registries';
import { buildFeatureGeneration, FEATURE_GENERATION_KIND } from './feature-generation';
import { runStages, STAGE_KIND } from './run-stages';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

class NoOptions {}

/** A plugin's stage kind, as a plugin registers it: a class whose instance is a StageKind. */
class ProbeKind implements StageKind {
  readonly kind = 'probe';
  readonly after = 'self-training-round';
  stagesFor() {
    return [];
  }
}

describe('runStages', () => {
  it("adds the stage kinds plugins registered under registries.of('stage') after the kind each names", () => {
    const registries = new Registries();
    expect(runStages(registries).kinds()).toEqual(['supervised', 'feature-generation', 'self-training-round', 'calibration']);
    registries.of<StageKind>(STAGE_KIND).register('probe', ProbeKind, NoOptions, 'test stage', 'plugin-probe');
    expect(runStages(registries).kinds()).toEqual(['supervised', 'feature-generation', 'self-training-round', 'probe', 'calibration']);
  });
});

describe('buildFeatureGeneration', () => {
  const gmmn = { type: 'gmmn', embeddingDim: 2, noiseDim: 2, hiddenDim: 4, featureDim: 4 };

  it("builds ZS3Net's GMMN stage through the registry for the generator type", () => {
    expect(buildFeatureGeneration(createRegistries(), gmmn)).toBeInstanceOf(GmmnFeatureGenerationStage);
  });

  it("builds a plugin generator's own stage, registered under the generator's type", () => {
    const registries = createRegistries();
    class PluginStage implements FeatureGenerationStage {
      constructor(readonly generator: unknown) {}
      async run(): Promise<void> {
        throw new Error('not run in this spec');
      }
    }
    class PluginGenerator {}
    registries.of('generator').register('plugin-gen', PluginGenerator, NoOptions, 'test generator', 'plugin');
    registries.of<FeatureGenerationStage>(FEATURE_GENERATION_KIND).register('plugin-gen', PluginStage, NoOptions, 'test stage', 'plugin');
    const stage = buildFeatureGeneration(registries, { type: 'plugin-gen' });
    expect(stage).toBeInstanceOf(PluginStage);
    expect((stage as PluginStage).generator).toBeInstanceOf(PluginGenerator);
  });

  it('names generative.type and the registered stages for a generator without one', () => {
    const registries = createRegistries();
    registries.of('generator').register('lonely', class {}, NoOptions, 'test generator', 'plugin');
    expect(() => buildFeatureGeneration(registries, { type: 'lonely' })).toThrow(ConfigError);
    expect(() => buildFeatureGeneration(registries, { type: 'lonely' })).toThrow(/generative\.type: no feature-generation stage registered for generator "lonely"; registered: gmmn/);
  });
});
