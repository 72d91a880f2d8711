// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../../../../types/fast-png.d.ts" />
import * as path from 'node:path';
import { encode } from 'fast-png';
import { writeFileAtomic, type LabelMap } from '@zls/core';

/** Where a run keeps its qualitative examples, relative to the run (predictions) or stage (pseudo-labels) folder. */
export const EXAMPLES_DIR = 'examples';

/** The file of one example: its position in the split, then a file-safe form of its id. */
export function exampleFileName(position: number, id: string): string {
  return `${String(position).padStart(3, '0')}-${id.replace(/[^\w.-]+/g, '_')}.png`;
}

/**
 * Keeps the label maps of the first `count` images of a pass as 8-bit grey PNGs of output indices (255 =
 * ignore), which `readLabelPng` and any image viewer read back; an index.json lists the ids in order.
 */
export class ExampleMaps {
  private readonly ids: string[] = [];

  constructor(
    private readonly dir: string,
    private readonly count: number,
  ) {}

  add(id: string, map: LabelMap): void {
    if (this.ids.length >= this.count) return;
    const bytes = encode({ width: map.width, height: map.height, data: map.data, depth: 8, channels: 1 });
    writeFileAtomic(path.join(this.dir, exampleFileName(this.ids.length, id)), bytes);
    this.ids.push(id);
  }

  /** Writes the id list; call once the pass is over. */
  finish(split: string): void {
    if (this.ids.length === 0) return;
    writeFileAtomic(path.join(this.dir, 'index.json'), JSON.stringify({ split, ids: this.ids }, null, 2) + '\n');
  }
}
