import * as tf from '@tensorflow/tfjs';
import { ZlsError } from '@zls/core';
import type { NamedWeights } from '../onnx/exportable';
import { entryToFloat32, f32Entry, i32Entry, readSafetensors, writeSafetensors, type SafetensorsEntry } from './safetensors';

export const CHECKPOINT_FORMAT = 'zls-checkpoint/1';

/** Where a checkpoint sits in an experiment, stored as safetensors `__metadata__` strings. */
export interface CheckpointInfo {
  configHash: string;
  classSpace: string;
  /** e.g. 'supervised', 'self-training', 'zs3-generator'. */
  stage: string;
  round: number;
  step: number;
  /** The model section (backbone, head, classifier) so the file can rebuild its network. */
  model?: unknown;
  numClasses?: number;
  embeddingDim?: number;
  /** Dataset label id of each output index, so predictions can be written in the dataset's numbering. */
  labelIds?: number[];
  /** The input normalisation preset the network was trained with. */
  normalization?: string;
}

export interface Checkpoint {
  file: string;
  info: CheckpointInfo;
  /** Model parameters by name (without the 'model.' prefix). */
  weights: Map<string, SafetensorsEntry>;
  optimizer?: { className: string; names: string[]; entries: SafetensorsEntry[]; extras: Map<string, SafetensorsEntry> };
}

const MODEL = 'model.';
const OPT = 'optimizer.';

/**
 * Writes model weights (every named parameter, running statistics included) and, for resuming, the
 * optimizer's slots, atomically. Optimizer slot names refer to parameters by checkpoint key, since tfjs
 * variable names differ from one process to the next.
 */
export async function saveCheckpoint(file: string, model: NamedWeights, info: CheckpointInfo, optimizer?: tf.Optimizer): Promise<void> {
  const tensors = new Map<string, SafetensorsEntry>();
  const keyOf = new Map<string, string>();
  for (const [key, v] of model.namedVariables()) {
    tensors.set(MODEL + key, f32Entry(v.dataSync() as Float32Array, v.shape));
    keyOf.set(v.name, key);
  }
  const metadata: Record<string, string> = {
    'zls.format': CHECKPOINT_FORMAT,
    'zls.config_hash': info.configHash,
    'zls.class_space': info.classSpace,
    'zls.stage': info.stage,
    'zls.round': String(info.round),
    'zls.step': String(info.step),
  };
  if (info.model !== undefined) metadata['zls.model'] = JSON.stringify(info.model);
  if (info.numClasses !== undefined) metadata['zls.num_classes'] = String(info.numClasses);
  if (info.embeddingDim !== undefined) metadata['zls.embedding_dim'] = String(info.embeddingDim);
  if (info.labelIds !== undefined) metadata['zls.label_ids'] = JSON.stringify(info.labelIds);
  if (info.normalization !== undefined) metadata['zls.normalization'] = info.normalization;
  if (optimizer) {
    const slots = await optimizer.getWeights();
    const names: string[] = [];
    slots.forEach((slot, i) => {
      names.push(renameSlot(slot.name, keyOf, 'to-key'));
      const t = slot.tensor;
      tensors.set(`${OPT}${i}`, t.dtype === 'int32' ? i32Entry(t.dataSync() as Int32Array, t.shape) : f32Entry(t.dataSync() as Float32Array, t.shape));
    });
    metadata['zls.optimizer'] = JSON.stringify({ className: optimizer.getClassName(), names });
    for (const [field, v] of powerAccumulators(optimizer)) tensors.set(`${OPT}${field}`, f32Entry(v.dataSync() as Float32Array, v.shape));
  }
  writeSafetensors(file, { tensors, metadata });
}

/** Slot names look like '<variable name>/m'; swap the variable part between tfjs names and checkpoint keys. */
function renameSlot(name: string, map: Map<string, string>, direction: 'to-key' | 'to-variable'): string {
  const cut = name.lastIndexOf('/');
  if (cut < 0) return name;
  const owner = name.slice(0, cut);
  const mapped = map.get(owner);
  if (mapped === undefined) {
    if (direction === 'to-key') throw new ZlsError(`optimizer slot '${name}' belongs to a variable that is not a model parameter`);
    throw new ZlsError(`optimizer slot '${name}' refers to parameter '${owner}', which this model does not have`);
  }
  return `${mapped}${name.slice(cut)}`;
}

export function readCheckpoint(file: string): Checkpoint {
  const { tensors, metadata } = readSafetensors(file);
  const need = (key: string): string => {
    const v = metadata[key];
    if (v === undefined) throw new ZlsError(`${file}: checkpoint metadata lacks '${key}' (is this a zls checkpoint?)`);
    return v;
  };
  if (need('zls.format') !== CHECKPOINT_FORMAT) throw new ZlsError(`${file}: checkpoint format '${metadata['zls.format']}', expected '${CHECKPOINT_FORMAT}'`);
  const int = (key: string): number => {
    const n = Number(need(key));
    if (!Number.isInteger(n)) throw new ZlsError(`${file}: metadata '${key}' = '${metadata[key]}' is not an integer`);
    return n;
  };
  const info: CheckpointInfo = {
    configHash: need('zls.config_hash'),
    classSpace: need('zls.class_space'),
    stage: need('zls.stage'),
    round: int('zls.round'),
    step: int('zls.step'),
  };
  if (metadata['zls.model'] !== undefined) info.model = JSON.parse(metadata['zls.model']);
  if (metadata['zls.num_classes'] !== undefined) info.numClasses = int('zls.num_classes');
  if (metadata['zls.embedding_dim'] !== undefined) info.embeddingDim = int('zls.embedding_dim');
  if (metadata['zls.label_ids'] !== undefined) info.labelIds = JSON.parse(metadata['zls.label_ids']) as number[];
  if (metadata['zls.normalization'] !== undefined) info.normalization = metadata['zls.normalization'];
  const weights = new Map<string, SafetensorsEntry>();
  for (const [name, e] of tensors) if (name.startsWith(MODEL)) weights.set(name.slice(MODEL.length), e);
  const checkpoint: Checkpoint = { file, info, weights };
  if (metadata['zls.optimizer'] !== undefined) {
    const { className, names } = JSON.parse(metadata['zls.optimizer']) as { className: string; names: string[] };
    const entries = names.map((n, i) => {
      const e = tensors.get(`${OPT}${i}`);
      if (!e) throw new ZlsError(`${file}: optimizer slot ${i} ('${n}') is listed but tensor '${OPT}${i}' is missing`);
      return e;
    });
    const extras = new Map<string, SafetensorsEntry>();
    for (const [name, e] of tensors) if (name.startsWith(OPT) && !/^\d+$/.test(name.slice(OPT.length))) extras.set(name.slice(OPT.length), e);
    checkpoint.optimizer = { className, names, entries, extras };
  }
  return checkpoint;
}

/**
 * Copies the checkpoint's weights into the model's variables. Strict (default): every parameter must be
 * present with the same shape, and no checkpoint weight may be left over.
 */
export function loadModelWeights(model: NamedWeights, checkpoint: Pick<Checkpoint, 'file' | 'weights'>, strict = true): void {
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

/** Restores optimizer slots saved with the same parameters, so training resumes where it stopped. */
export async function restoreOptimizer(optimizer: tf.Optimizer, model: NamedWeights, checkpoint: Checkpoint): Promise<void> {
  const saved = checkpoint.optimizer;
  if (!saved) throw new ZlsError(`${checkpoint.file}: has no optimizer state to resume from`);
  if (saved.className !== optimizer.getClassName()) throw new ZlsError(`${checkpoint.file}: optimizer state is ${saved.className}, the run uses ${optimizer.getClassName()}`);
  const varOf = new Map<string, string>();
  for (const [key, v] of model.namedVariables()) varOf.set(key, v.name);
  const weights = saved.names.map((name, i) => {
    const e = saved.entries[i];
    const tensor = e.dtype === 'I32' ? tf.tensor(new Int32Array(e.bytes.buffer, e.bytes.byteOffset, e.bytes.byteLength / 4).slice(), e.shape, 'int32') : tf.tensor(entryToFloat32(e, name, checkpoint.file), e.shape);
    return { name: renameSlot(name, varOf, 'to-variable'), tensor };
  });
  await optimizer.setWeights(weights);
  tf.dispose(weights.map((w) => w.tensor));
  for (const [field, v] of powerAccumulators(optimizer)) {
    const e = saved.extras.get(field);
    if (e) v.assign(tf.tensor(entryToFloat32(e, field, checkpoint.file), v.shape));
  }
}

/**
 * Adam keeps β₁ᵗ and β₂ᵗ as running products outside getWeights(); setWeights recomputes them as powers,
 * which differ in the last bits. Saving the products themselves makes a resumed run bit-identical.
 */
function powerAccumulators(optimizer: tf.Optimizer): [string, tf.Variable][] {
  const o = optimizer as unknown as Record<string, unknown>;
  return ['accBeta1', 'accBeta2'].filter((f) => o[f] instanceof tf.Variable).map((f) => [f, o[f] as tf.Variable]);
}
