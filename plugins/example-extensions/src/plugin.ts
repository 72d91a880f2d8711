import { PLUGIN_API_VERSION, type Registries, type ZlsPlugin } from '@zls/core';
import { BrightnessJitterOptions, BrightnessJitterTransform } from './brightness-jitter-transform';
import { ConfidenceThresholdLabeler, ConfidenceThresholdLabelerOptions } from './confidence-threshold-labeler';
import { LinearProjectionHead, LinearProjectionHeadOptions } from './linear-projection-head';

export const PLUGIN_NAME = '@zls/plugin-example-extensions';

/**
 * Registers one component of each kind a plugin can add. `zls list --plugin @zls/plugin-example-extensions`
 * shows them; `experiments/ablations/plugin-example.yaml` runs an ablation with all of them.
 */
export const plugin: ZlsPlugin = {
  name: PLUGIN_NAME,
  apiVersion: PLUGIN_API_VERSION,
  register(registries: Registries): void {
    registries.transform.register('brightness-jitter', BrightnessJitterTransform, BrightnessJitterOptions, 'multiply the image by a random factor in [1 − strength, 1 + strength]', PLUGIN_NAME);
    registries.head.register('linear-projection', LinearProjectionHead, LinearProjectionHeadOptions, 'one 1×1 convolution from the features to the embedding space', PLUGIN_NAME);
    registries.pseudoLabeler.register(
      'confidence-threshold',
      ConfidenceThresholdLabeler,
      ConfidenceThresholdLabelerOptions,
      "fixed-threshold self-training: the generator's unseen-class argmax where its probability reaches a threshold",
      PLUGIN_NAME,
    );
  },
};

export default plugin;
