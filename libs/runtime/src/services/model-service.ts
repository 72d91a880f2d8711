import type { ClassSpace, ModelService, Plain, Registries, SegmentationModel } from '@zls/core';
import { buildSegmentationModel, type SegmentationModelConfig } from '@zls/models';
import { StageCheckpointer } from './stage-checkpointer';

/**
 * Builds the experiment's network for a class space; copies share nothing but their initial weights. Stage
 * checkpoints record the model config, the label id of every output and the input normalisation (a preset
 * name, when the config's transforms name one).
 */
export function createModelService(registries: Registries, modelConfig: Plain, classSpace: ClassSpace, normalization?: string): ModelService {
  const describe: Record<string, string> = {
    'zls.model': JSON.stringify(modelConfig),
    'zls.num_classes': String(classSpace.numClasses),
    'zls.label_ids': JSON.stringify(classSpace.classes.map((_, i) => classSpace.labelIdOf(i))),
  };
  if (normalization) describe['zls.normalization'] = normalization;
  const create = (seed: number): SegmentationModel => {
    // The seed reaches backbone and head as TOKENS.RunContext (buildSegmentationModel); a seed in their own
    // config still wins.
    const config: SegmentationModelConfig = {
      backbone: modelConfig['backbone'] as SegmentationModelConfig['backbone'],
      head: modelConfig['head'] as SegmentationModelConfig['head'],
      classifier: modelConfig['classifier'] as SegmentationModelConfig['classifier'],
      upsampling: modelConfig['upsampling'] as SegmentationModelConfig['upsampling'],
      multiScale: modelConfig['multiScale'] as SegmentationModelConfig['multiScale'],
      seed,
    };
    return buildSegmentationModel(registries, config, classSpace, undefined, { classSpace });
  };
  return {
    create,
    copy(model: SegmentationModel): SegmentationModel {
      const copy = create(0);
      const from = model.stateVariables();
      for (const [name, v] of Object.entries(copy.stateVariables())) {
        const source = from[name];
        if (!source) throw new Error(`cannot copy model: the source has no variable "${name}"`);
        v.assign(source);
      }
      return copy;
    },
    checkpointer: (dir: string) => new StageCheckpointer(dir, describe),
  };
}

