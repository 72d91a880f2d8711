import { DATASET_FAMILY_KIND, PLUGIN_API_VERSION, type DatasetFamily, type Registries, type ZlsPlugin } from '@zls/core';
import { BrightnessJitterOptions, BrightnessJitterTransform } from './brightness-jitter-transform';
import { ConfidenceThresholdLabeler, ConfidenceThresholdLabelerOptions } from './confidence-threshold-labeler';
import { LinearProjectionHead, LinearProjectionHeadOptions } from './linear-projection-head';
import { PSEUDO_LABEL_PRECISION_COLUMN } from './pseudo-label-precision-column';
import { StripesDataset, StripesDatasetOptions } from './stripes-dataset';
import { StripesFamily, StripesFamilyOptions } from './stripes-family';

export const PLUGIN_NAME = '@zls/plugin-example-extensions';

/**
 * Registers one component of each kind a plugin can add. `zls list --plugin @zls/plugin-example-extensions`
 * shows them; `experiments/ablations/plugin-example.yaml` runs an ablation with all of them.
 */
export const plugin: ZlsPlugin = {
  name: PLUGIN_NAME,
  apiVersion: PLUGIN_API_VERSION,
  register(registries: Registries): void {
    // A dataset comes with its family (class space, label ids, embeddings), registered under the same type.
    registries.dataset.register('stripes', StripesDataset, StripesDatasetOptions, 'procedural striped rectangles: 9 colour × orientation classes, 2 unseen', PLUGIN_NAME);
    registries.of<DatasetFamily>(DATASET_FAMILY_KIND).register('stripes', StripesFamily, StripesFamilyOptions, 'the stripes dataset', PLUGIN_NAME);
    registries.transform.register('brightness-jitter', BrightnessJitterTransform, BrightnessJitterOptions, 'multiply the image by a random factor in [1 − strength, 1 + strength]', PLUGIN_NAME);
    registries.head.register('linear-projection', LinearProjectionHead, LinearProjectionHeadOptions, 'one 1×1 convolution from the features to the embedding space', PLUGIN_NAME);
    registries.pseudoLabeler.register(
      'confidence-threshold',
      ConfidenceThresholdLabeler,
      ConfidenceThresholdLabelerOptions,
      "fixed-threshold self-training: the generator's unseen-class argmax where its probability reaches a threshold",
      PLUGIN_NAME,
    );
    registries.resultColumns.add(PSEUDO_LABEL_PRECISION_COLUMN, PLUGIN_NAME);
  },
};

export default plugin;
