import * as tf from '@tensorflow/tfjs';
import { ZlsError } from '@zls/core';
import type { NamedWeights } from '../onnx/exportable';
import { entryToFloat32, readSafetensors, type SafetensorsEntry } from './safetensors';

/** The prefix of model parameters in a checkpoint (the trainer's stage checkpoints write `model.<key>`). */
const MODEL = 'model.';

/** A checkpoint's model parameters by key (without the `model.` prefix), and the file they came from. */
export interface ModelWeights {
  file: string;
  weights: Map<string, SafetensorsEntry>;
}

/** Reads the `model.*` tensors of a safetensors checkpoint; the metadata and optimizer state are left out. */
export function readModelWeights(file: string): ModelWeights & { metadata: Record<string, string> } {
  const { tensors, metadata } = readSafetensors(file);
  const weights = new Map<string, SafetensorsEntry>();
  for (const [name, e] of tensors) if (name.startsWith(MODEL)) weights.set(name.slice(MODEL.length), e);
  return { file, weights, metadata };
}

/**
 * Copies the checkpoint's weights into the model's variables. Strict (default): every parameter must be
 * present with the same shape, and no checkpoint weight may be left over.
 */
export function loadModelWeights(model: NamedWeights, checkpoint: ModelWeights, strict = true): void {
  const params = model.namedVariables();
  const problems: string[] = [];
  for (const [key, v] of params) {
    const e = checkpoint.weights.get(key);
    if (!e) {
      if (strict) problems.push(`missing '${key}' [${v.shape.join(', ')}]`);
      continue;
    }
    if (e.shape.length !== v.shape.length || e.shape.some((d, i) => d !== v.shape[i])) {
      problems.push(`'${key}' is [${e.shape.join(', ')}] in the file, the model needs [${v.shape.join(', ')}]`);
    }
  }
  if (strict) for (const key of checkpoint.weights.keys()) if (!params.has(key)) problems.push(`unexpected '${key}'`);
  if (problems.length) throw new ZlsError(`${checkpoint.file}: weights do not fit the model: ${problems.slice(0, 8).join('; ')}${problems.length > 8 ? ` (+${problems.length - 8} more)` : ''}`);
  for (const [key, v] of params) {
    const e = checkpoint.weights.get(key);
    if (e) v.assign(tf.tensor(entryToFloat32(e, key, checkpoint.file), v.shape, 'float32'));
  }
}
