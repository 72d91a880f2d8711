import { PLUGIN_API_VERSION, type Registries, type ZlsPlugin } from '@zls/core';
import { TinyConvBackbone, TinyConvBackboneOptions } from './tiny-conv-backbone';

export const PLUGIN_NAME = '@zls/plugin-example-backbone';

/** Registers the example backbone as `tiny-conv`; `zls list --plugin @zls/plugin-example-backbone` shows it. */
export const plugin: ZlsPlugin = {
  name: PLUGIN_NAME,
  apiVersion: PLUGIN_API_VERSION,
  register(registries: Registries): void {
    registries.backbone.register(
      'tiny-conv',
      TinyConvBackbone,
      TinyConvBackboneOptions,
      'example plugin backbone: 3×3 stride-2 convolutions with ReLU',
      PLUGIN_NAME,
    );
  },
};

export default plugin;
