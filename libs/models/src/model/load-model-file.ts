import { ZlsError, type Registries } from '@zls/core';
import { loadModelWeights, readModelWeights } from '../checkpoint/model-weights';
import { entryToFloat32, type SafetensorsEntry } from '../checkpoint/safetensors';
import { buildSegmentationModel, type ModelClasses, type SegmentationModelConfig } from './build-segmentation-model';
import type { SegmentationNet } from './segmentation-net';

export interface LoadedModel {
  model: SegmentationNet;
  config: SegmentationModelConfig;
  metadata: Record<string, string>;
  /** Dataset label id of each output index, when the checkpoint records them. */
  labelIds?: number[];
}

/**
 * Rebuilds a network from a checkpoint (weights under `model.*`, as the trainer's stage checkpoints write
 * them). The architecture comes from `modelConfig` (a run's resolved `model:` section) or from the
 * checkpoint's own metadata ('zls.model' / 'model'); the classes from the stored scorer: the fixed class
 * embeddings, or the 1×1 classifier's width.
 */
export function loadModelFromCheckpoint(registries: Registries, file: string, modelConfig?: SegmentationModelConfig): LoadedModel {
  const { weights, metadata } = readModelWeights(file);
  if (!weights.size) throw new ZlsError(`${file}: holds no model weights (no 'model.*' tensors)`);
  const config = modelConfig ?? configFromMetadata(metadata, file);
  const backbone = { ...config.backbone };
  // Pretrained-weight files were only the starting point; the checkpoint holds the trained weights.
  delete backbone['weights'];
  const classes = classesFromWeights(weights, file);
  const resolved: SegmentationModelConfig = { ...config, backbone, classifier: classes.classifier };
  const model = buildSegmentationModel(registries, resolved, classes);
  try {
    loadModelWeights(model, { file, weights });
  } catch (e) {
    model.dispose();
    throw e;
  }
  const ids = metadata['zls.label_ids'] ?? metadata['labelIds'];
  return { model, config: resolved, metadata, labelIds: ids ? (JSON.parse(ids) as number[]) : undefined };
}

function configFromMetadata(metadata: Record<string, string>, file: string): SegmentationModelConfig {
  const raw = metadata['zls.model'] ?? metadata['model'];
  if (!raw) throw new ZlsError(`${file}: the checkpoint does not record its model; pass the run's config (its model: section)`);
  const parsed = JSON.parse(raw) as Partial<SegmentationModelConfig>;
  if (!parsed.backbone || !parsed.head) throw new ZlsError(`${file}: recorded model config lacks backbone or head`);
  return parsed as SegmentationModelConfig;
}

function classesFromWeights(weights: Map<string, SafetensorsEntry>, file: string): ModelClasses & { classifier: 'embeddings' | 'linear' } {
  const emb = weights.get('scorer.embeddings');
  if (emb) {
    const [numClasses, embeddingDim] = emb.shape;
    return { numClasses, embeddingDim, embeddings: entryToFloat32(emb, 'scorer.embeddings', file), classifier: 'embeddings' };
  }
  const conv = weights.get('scorer.conv.weight');
  if (conv) return { numClasses: conv.shape[3], embeddingDim: conv.shape[2], embeddings: new Float32Array(0), classifier: 'linear' };
  throw new ZlsError(`${file}: has neither 'model.scorer.embeddings' nor 'model.scorer.conv.weight', so its classes are unknown`);
}
