import { ConfigError, type ComponentConfig, type FeatureGenerationStage, type Registries } from '@zls/core';
import { GmmnFeatureGenerationStage, GmmnGeneratorOptions } from '@zls/models';

/** The registry kind that says, per generator type, which feature-generation stage trains that generator. */
export const FEATURE_GENERATION_KIND = 'feature-generation';

/** A feature-generation stage class: built around the generator the `generator` registry built. */
export type FeatureGenerationClass = new (generator: never) => FeatureGenerationStage;

/**
 * ZS3Net's GMMN stage under the `gmmn` generator type. A plugin's generator registers its own stage class under
 * its type in registries.of('feature-generation'), with the same options class as its generator.
 */
export function registerFeatureGeneration(registries: Registries): void {
  registries
    .of<FeatureGenerationStage>(FEATURE_GENERATION_KIND)
    .register('gmmn', GmmnFeatureGenerationStage, GmmnGeneratorOptions, "ZS3Net's stage 2: GMMN-generated unseen features retrain the classifier", '@zls/models');
}

/** The experiment's `generative` component, built, inside the feature-generation stage registered for its type. */
export function buildFeatureGeneration(registries: Registries, config: ComponentConfig): FeatureGenerationStage {
  const stages = registries.of<FeatureGenerationStage>(FEATURE_GENERATION_KIND);
  const entry = stages.list().find((e) => e.type === config.type);
  if (!entry) {
    throw new ConfigError([{ path: 'generative.type', message: `no feature-generation stage registered for generator "${config.type}"; registered: ${stages.types().join(', ') || '(none)'}` }]);
  }
  const generator = registries.of('generator').build(config, 'generative');
  return new (entry.ctor as unknown as new (generator: unknown) => FeatureGenerationStage)(generator);
}
