import 'reflect-metadata';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { injectable } from 'tsyringe';
import { IGNORE_INDEX, SeededRng, ZlsError, type ClassSpace, type SegDataset, type SegSample } from '@zls/core';
import { drawStripesImage } from './draw-stripes-image';
import { stripesClassSpace } from './stripes-class-space';

export type StripesSplit = 'train' | 'val' | 'test';
const SPLIT_STREAM: Record<StripesSplit, number> = { train: 1, val: 2, test: 3 };

export class StripesDatasetOptions {
  /** The data draw: an ablation seed sets it unless the config pins it. */
  @IsInt() @Min(0) seed = 0;
  /** Image side; 4k + 1 keeps a stride-4, corner-aligned score grid mirror-symmetric. */
  @IsInt() @Min(8) @Max(512) size = 65;
  @IsInt() @Min(1) nTrain = 400;
  @IsInt() @Min(1) nVal = 100;
  @IsInt() @Min(1) nTest = 100;
  @IsIn(['train', 'val', 'test']) split: StripesSplit = 'train';
}

/**
 * A procedural zero-label dataset from a plugin: striped rectangles whose class is a colour and an orientation
 * (stripes-class-space.ts). Background is ignored; on the training split the unseen classes are ignored too,
 * so a model sees them only through pseudo-labels. Images are drawn on demand from (seed, split, index).
 */
@injectable()
export class StripesDataset implements SegDataset {
  readonly name = 'stripes';
  readonly split: StripesSplit;
  readonly classSpace: ClassSpace = stripesClassSpace();
  readonly ids: readonly string[];

  constructor(private readonly options: StripesDatasetOptions) {
    this.split = options.split;
    const count = { train: options.nTrain, val: options.nVal, test: options.nTest }[options.split];
    this.ids = Array.from({ length: count }, (_, i) => `stripes-${options.split}-${i}`);
  }

  async get(index: number): Promise<SegSample> {
    if (!Number.isInteger(index) || index < 0 || index >= this.ids.length) {
      throw new ZlsError(`stripes ${this.split}: sample index ${index} outside 0..${this.ids.length - 1}`);
    }
    const size = this.options.size;
    const drawn = drawStripesImage(SeededRng.derive(this.options.seed, SPLIT_STREAM[this.split], index), size);
    const hidden = drawn.labels.map((id) => this.classSpace.outputIndexOf(id));
    const unseen = new Set(this.classSpace.unseenIndices);
    const target = this.split === 'train' ? hidden.map((i) => (unseen.has(i) ? IGNORE_INDEX : i)) : hidden.slice();
    return {
      id: this.ids[index],
      image: { data: drawn.image, height: size, width: size, channels: 3 },
      target: { data: target, height: size, width: size },
      hidden: { data: hidden, height: size, width: size },
    };
  }
}
