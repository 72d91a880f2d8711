import * as fs from 'node:fs';
import * as path from 'node:path';
import { ZlsError, type CheckpointMeta, type Checkpointer, type TensorRecord } from '@zls/core';
import { entryToFloat32, f32Entry, readSafetensors, writeSafetensors, type SafetensorsEntry } from '@zls/models';

const WEIGHT = 'model.';
const OPTIMIZER = 'optimizer.';
/** Checkpoints kept per stage: the newest two, so a crash while writing one still leaves a good one. */
const KEEP = 2;

function fileName(stage: string, step: number): string {
  return `${stage}-step${String(step).padStart(7, '0')}.safetensors`;
}

/**
 * A stage's checkpoints as safetensors files in one folder: weights under `model.*`, optimiser state under
 * `optimizer.*`, and the metadata (config hash, class space, stage, round, step) in `__metadata__`, with
 * `describe`'s entries (the model config, label ids, input normalisation) so that `zls export` and `zls predict`
 * need nothing but the file.
 */
export class StageCheckpointer implements Checkpointer {
  constructor(
    readonly dir: string,
    private readonly describe: Readonly<Record<string, string>> = {},
  ) {}

  save(weights: TensorRecord, optimizer: TensorRecord, meta: CheckpointMeta): void {
    const tensors = new Map<string, SafetensorsEntry>();
    for (const [name, t] of Object.entries(weights)) tensors.set(WEIGHT + name, f32Entry(t.data, t.shape));
    for (const [name, t] of Object.entries(optimizer)) tensors.set(OPTIMIZER + name, f32Entry(t.data, t.shape));
    const metadata = { ...this.describe, ...Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])) };
    writeSafetensors(path.join(this.dir, fileName(meta.stage, meta.step)), { tensors, metadata });
    for (const old of this.files(meta.stage).slice(0, -KEEP)) fs.rmSync(old.file, { force: true });
  }

  latest(stage: string): { weights: TensorRecord; optimizer: TensorRecord; meta: CheckpointMeta } | undefined {
    const newest = this.files(stage).pop();
    if (!newest) return undefined;
    const content = readSafetensors(newest.file);
    const weights: TensorRecord = {};
    const optimizer: TensorRecord = {};
    for (const [name, entry] of content.tensors) {
      const value = { data: entryToFloat32(entry, name, newest.file), shape: entry.shape };
      if (name.startsWith(WEIGHT)) weights[name.slice(WEIGHT.length)] = value;
      else if (name.startsWith(OPTIMIZER)) optimizer[name.slice(OPTIMIZER.length)] = value;
    }
    const m = content.metadata;
    const step = Number(m['step']);
    if (!Number.isInteger(step)) throw new ZlsError(`${newest.file}: checkpoint metadata has no step`);
    const meta: CheckpointMeta = { ...m, configHash: m['configHash'] ?? '', classSpace: m['classSpace'] ?? '', stage, round: Number(m['round'] ?? 0), step };
    return { weights, optimizer, meta };
  }

  /** This stage's checkpoint files, oldest first. */
  private files(stage: string): { file: string; step: number }[] {
    if (!fs.existsSync(this.dir)) return [];
    const pattern = new RegExp(`^${stage.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-step(\\d+)\\.safetensors$`);
    return fs
      .readdirSync(this.dir)
      .map((f) => ({ f, m: pattern.exec(f) }))
      .filter((x) => x.m)
      .map((x) => ({ file: path.join(this.dir, x.f), step: Number((x.m as RegExpExecArray)[1]) }))
      .sort((a, b) => a.step - b.step);
  }
}
