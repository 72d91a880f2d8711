import { DataError, ZlsError, type ClassSpace, type DatasetLabelSpace, type SegDataset, type SegSample } from '@zls/core';
import { buildLabelTables, type LabelTables, type UnseenPixelMode } from '../masking/label-tables';
import { loadLabels, loadSample, type LoadedSample } from './load-sample';
import type { BadSample, SampleFiles } from './sample-files';

export interface RealSegDatasetSpec {
  name: string;
  split: string;
  classSpace: DatasetLabelSpace;
  /** Every sample the list names, in list order. */
  files: readonly SampleFiles[];
  unseenPixels: UnseenPixelMode;
  maskUnseen: boolean;
  skipBad: boolean;
}

/**
 * A split of a dataset read from image + label-map files. Targets hide the unseen classes (on masked splits),
 * hidden labels keep them. With `skipBad`, unreadable samples are recorded in `bad` and the next good sample is
 * returned in their place; without it the first bad file raises a DataError naming it.
 */
export class RealSegDataset implements SegDataset {
  readonly name: string;
  readonly split: string;
  readonly classSpace: ClassSpace;
  readonly datasetLabelIds: readonly number[];
  readonly tables: LabelTables;
  readonly unseenPixels: UnseenPixelMode;
  readonly maskUnseen: boolean;
  readonly skipBad: boolean;
  /** Samples that `get` reads from (after dropping images with unseen pixels in 'drop-image' mode). */
  readonly files: readonly SampleFiles[];
  /** Every sample the list names. */
  readonly listedFiles: readonly SampleFiles[];
  /** Ids left out by 'drop-image' because they contain unseen pixels. */
  readonly droppedForUnseen: readonly string[];
  readonly ids: readonly string[];
  private readonly badById = new Map<string, BadSample>();

  constructor(spec: RealSegDatasetSpec) {
    this.name = spec.name;
    this.split = spec.split;
    this.classSpace = spec.classSpace.space;
    this.datasetLabelIds = spec.classSpace.datasetLabelIds;
    this.unseenPixels = spec.unseenPixels;
    this.maskUnseen = spec.maskUnseen;
    this.skipBad = spec.skipBad;
    this.tables = buildLabelTables(this.classSpace, this.datasetLabelIds, spec.unseenPixels, spec.maskUnseen);
    this.listedFiles = spec.files;
    const dropped: string[] = [];
    this.files = spec.unseenPixels === 'drop-image' && spec.maskUnseen ? this.withoutUnseen(spec.files, dropped) : spec.files;
    this.droppedForUnseen = dropped;
    if (this.files.length === 0) {
      throw new ZlsError(
        `${this.name} ${this.split}: no samples to read (${spec.files.length} listed, ${dropped.length} dropped for unseen pixels, ${this.badById.size} unreadable)`,
      );
    }
    this.ids = this.files.map((f) => f.id);
  }

  /** Samples skipped so far because they could not be read (only with skipBad). */
  get bad(): readonly BadSample[] {
    return [...this.badById.values()];
  }

  async get(index: number): Promise<SegSample> {
    if (!Number.isInteger(index) || index < 0 || index >= this.files.length) {
      throw new ZlsError(`${this.name} ${this.split}: sample index ${index} outside 0..${this.files.length - 1}`);
    }
    for (let k = 0; k < this.files.length; k++) {
      const files = this.files[(index + k) % this.files.length];
      if (this.badById.has(files.id)) continue;
      const loaded = await this.tryLoad(files);
      if (loaded) return { id: files.id, image: loaded.image, target: loaded.target, hidden: loaded.hidden };
    }
    throw new ZlsError(`${this.name} ${this.split}: every one of the ${this.files.length} samples is unreadable`);
  }

  /** Loads one sample by its files; a bad one is recorded and gives undefined when skipBad is on. */
  async tryLoad(files: SampleFiles): Promise<LoadedSample | undefined> {
    try {
      return await loadSample(files, this.tables);
    } catch (e) {
      if (!(e instanceof DataError) || !this.skipBad) throw e;
      this.badById.set(files.id, { id: files.id, file: e.file, problem: e.message });
      return undefined;
    }
  }

  /** ZS3Net's stage-1 protocol: read every label map once and keep the images without unseen pixels. */
  private withoutUnseen(files: readonly SampleFiles[], dropped: string[]): SampleFiles[] {
    return files.filter((f) => {
      try {
        if (!loadLabels(f, this.tables).hasUnseen) return true;
        dropped.push(f.id);
        return false;
      } catch (e) {
        if (!(e instanceof DataError) || !this.skipBad) throw e;
        this.badById.set(f.id, { id: f.id, file: e.file, problem: e.message });
        return false;
      }
    });
  }
}
