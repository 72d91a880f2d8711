import 'reflect-metadata';
import { IsIn, IsInt, IsNumber, Max, Min } from 'class-validator';
import { injectable } from 'tsyringe';
import { IGNORE_INDEX, SeededRng, ZlsError, type SegDataset, type SegSample } from '@zls/core';
import type { TableClassSpace } from '../class-space/class-space';
import { generateSyntheticImage, type SyntheticImage } from './generate-synthetic-image';
import { syntheticClassSpace, type SyntheticBackground } from './synthetic-class-space';
import { BACKGROUND_LABEL_ID } from './synthetic-recipe';

export type SyntheticSplit = 'train' | 'val' | 'test';

/** Each split has its own stream: 10·seed + {1, 2, 3} for train, test, val (design doc §1). */
const SPLIT_SEED_OFFSET: Record<SyntheticSplit, number> = { train: 1, test: 2, val: 3 };

export class SyntheticDatasetOptions {
  @IsInt() @Min(0) @Max(100_000_000) seed = 0;
  /** Image side in pixels; every length of the recipe scales with size / 64. */
  @IsInt() @Min(16) @Max(1024) size = 64;
  @IsInt() @Min(1) nTrain = 1000;
  @IsInt() @Min(1) nVal = 200;
  @IsInt() @Min(1) nTest = 400;
  /** Noise σ of the class embeddings. */
  @IsNumber() @Min(0) sigma = 1.0;
  @IsIn(['ignore', 'class']) background: SyntheticBackground = 'ignore';
  @IsIn(['train', 'val', 'test']) split: SyntheticSplit = 'train';
}

/** Options with defaults filled in, for code that builds the dataset without the registry. */
export function syntheticOptions(partial: Partial<SyntheticDatasetOptions> = {}): SyntheticDatasetOptions {
  return Object.assign(new SyntheticDatasetOptions(), partial);
}

/**
 * The built-in synthetic zero-label benchmark as a SegDataset. Images are generated lazily from a per-index
 * seed (so any worker can produce any index on its own) and kept in memory once made (64 px × 1 000 images is
 * 20 MB). Training targets hide the unseen classes: as ignore (255), or as background in 'class' mode, where
 * background is a seen class and hiding unseen pixels as ignore would leak their mask to a pseudo-labeler.
 */
@injectable()
export class SyntheticDataset implements SegDataset {
  readonly name = 'synthetic';
  readonly split: SyntheticSplit;
  readonly classSpace: TableClassSpace;
  readonly ids: readonly string[];
  private readonly cache: (SyntheticImage | undefined)[];
  private readonly splitSeed: number;
  private readonly hiddenLut: Uint8Array;
  private readonly targetLut: Uint8Array;

  constructor(readonly options: SyntheticDatasetOptions) {
    this.split = options.split;
    this.classSpace = syntheticClassSpace(options);
    const count = { train: options.nTrain, val: options.nVal, test: options.nTest }[options.split];
    this.ids = Array.from({ length: count }, (_, i) => `${options.split}_${String(i).padStart(5, '0')}`);
    this.cache = new Array(count);
    this.splitSeed = 10 * options.seed + SPLIT_SEED_OFFSET[options.split];
    this.hiddenLut = this.classSpace.lookupTable();
    if (options.background === 'class') this.hiddenLut[IGNORE_INDEX] = this.classSpace.outputIndexOf(BACKGROUND_LABEL_ID);
    this.targetLut = this.hiddenLut.slice();
    if (this.split === 'train') {
      const hideAs = this.classSpace.backgroundIndex ?? IGNORE_INDEX;
      for (const u of this.classSpace.unseenIndices) this.targetLut[this.classSpace.labelIdOf(u)] = hideAs;
    }
  }

  async get(index: number): Promise<SegSample> {
    // Generation would draw an image for any index: outside the split is a caller's error, as for files on disk.
    if (!Number.isInteger(index) || index < 0 || index >= this.ids.length) {
      throw new ZlsError(`${this.name} ${this.split}: sample index ${index} outside 0..${this.ids.length - 1}`);
    }
    return this.sample(index);
  }

  /** Synchronous form of get(): generation needs no I/O. */
  sample(index: number): SegSample {
    const raw = this.raw(index);
    const size = this.options.size;
    const hidden = new Uint8Array(raw.label.length);
    const target = new Uint8Array(raw.label.length);
    for (let p = 0; p < raw.label.length; p++) {
      hidden[p] = this.hiddenLut[raw.label[p]];
      target[p] = this.targetLut[raw.label[p]];
    }
    return {
      id: this.ids[index],
      image: { data: raw.image.slice(), height: size, width: size, channels: 3 },
      target: { data: target, height: size, width: size },
      hidden: { data: hidden, height: size, width: size },
    };
  }

  /** The generated image and its raw label map (label ids, 255 on background), shared: do not modify. */
  raw(index: number): SyntheticImage {
    if (!Number.isInteger(index) || index < 0 || index >= this.ids.length) {
      throw new ZlsError(`synthetic ${this.split}: index ${index} outside 0..${this.ids.length - 1}`);
    }
    let image = this.cache[index];
    if (!image) {
      image = generateSyntheticImage(this.imageRng(index), this.options.size);
      this.cache[index] = image;
    }
    return image;
  }

  /** The stream image `index` is drawn from: fixed by (seed, split, index) alone. */
  imageRng(index: number): SeededRng {
    return SeededRng.derive(this.splitSeed, index);
  }
}
