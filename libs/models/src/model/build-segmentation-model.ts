import type { DependencyContainer } from 'tsyringe';
import { ConfigError, type Backbone, type ClassSpace, type ComponentConfig, type ComponentContext, type Head, type Registries } from '@zls/core';
import { resolveMultiScale, type MultiScaleOptions } from './multi-scale';
import { EmbeddingScorer, LinearScorer } from './scorers';
import { SegmentationNet, type Upsampling } from './segmentation-net';

/** What a config's `model:` section holds, plus how pixels are scored. */
export interface SegmentationModelConfig {
  backbone: ComponentConfig;
  head: ComponentConfig;
  /** 'embeddings' (SPNet: fixed class embeddings, default) or 'linear' (DeepLab / ZS3Net: a learnt 1×1). */
  classifier?: 'embeddings' | 'linear';
  /** How scores reach the input's resolution (default half-pixel; 'align-corners' for mirror-aligned views). */
  upsampling?: Upsampling;
  /** SPNet's multi-scale training and test (multi-scale.ts; defaults: scales [1, 0.5, 0.75], max, max-fused test). */
  multiScale?: Partial<MultiScaleOptions>;
  seed?: number;
}

/** The class information a model needs; a ClassSpace provides it, and so does a checkpoint. */
export type ModelClasses = Pick<ClassSpace, 'numClasses' | 'embeddingDim' | 'embeddings'>;

/**
 * Builds backbone and head from their registries and joins them with the scorer for the class space. Both get
 * the run context (TOKENS.RunContext: the config's seed, `context`'s class space); the head also gets the
 * backbone's channel widths, so it can create its weights in its constructor.
 */
export function buildSegmentationModel(
  registries: Registries,
  config: SegmentationModelConfig,
  classes: ModelClasses,
  container?: DependencyContainer,
  context: Pick<ComponentContext, 'classSpace'> = {},
): SegmentationNet {
  const multiScale = resolveMultiScale(config.multiScale);
  const run: ComponentContext = { ...context, seed: config.seed };
  const backbone = registries.backbone.build(config.backbone, 'model.backbone', container, run) as Backbone;
  let head: Head;
  try {
    head = registries.head.build(config.head, 'model.head', container, { ...run, inputChannels: backbone.outputChannels, lowLevelChannels: backbone.lowLevelChannels }) as Head;
  } catch (e) {
    backbone.dispose();
    throw e;
  }
  const kind = config.classifier ?? 'embeddings';
  if (kind === 'embeddings' && head.outputChannels !== classes.embeddingDim) {
    backbone.dispose();
    head.dispose();
    throw new ConfigError([
      { path: 'model.head', message: `outputs ${head.outputChannels}-d pixel features but the class embeddings are ${classes.embeddingDim}-d; set embeddingDim: ${classes.embeddingDim}` },
    ]);
  }
  const scorer =
    kind === 'embeddings' ? new EmbeddingScorer(classes.embeddings, classes.numClasses, classes.embeddingDim) : new LinearScorer(head.outputChannels, classes.numClasses, config.seed ?? 0);
  return new SegmentationNet(backbone, head, scorer, config.upsampling ?? 'half-pixel', multiScale);
}
