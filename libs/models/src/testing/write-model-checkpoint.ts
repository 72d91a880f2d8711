import type { NamedWeights } from '../onnx/exportable';
import { f32Entry, writeSafetensors, type SafetensorsEntry } from '../checkpoint/safetensors';

/** Writes a model's named variables as `model.<key>` tensors, the layout of the trainer's stage checkpoints. */
export function writeModelCheckpoint(file: string, model: NamedWeights, metadata: Record<string, string> = {}): void {
  const tensors = new Map<string, SafetensorsEntry>();
  for (const [key, v] of model.namedVariables()) tensors.set(`model.${key}`, f32Entry(v.dataSync() as Float32Array, v.shape));
  writeSafetensors(file, { tensors, metadata });
}
