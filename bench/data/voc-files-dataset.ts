// The benchmark's dataset: a VOC-layout folder read with the fast decoders, labels passed through as stored
// (no class-space masking), which is exactly the work the PIL + torchvision reference does per sample.
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IsNotEmpty, IsString } from 'class-validator';
import { injectable } from 'tsyringe';
import { DataError, type Registries, type SegDataset, type SegSample } from '@zls/core';
import { decodeImageFast, decodeIndexedPng, readLabelPng, syntheticClassSpace } from '@zls/data';

export class VocFilesOptions {
  @IsString() @IsNotEmpty() root!: string;
}

@injectable()
export class VocFilesDataset implements SegDataset {
  readonly name = 'bench-voc-files';
  readonly split = 'train';
  // Labels are not mapped here; a class space is required by the interface only.
  readonly classSpace = syntheticClassSpace();
  readonly ids: readonly string[];

  constructor(readonly options: VocFilesOptions) {
    const list = path.join(options.root, 'ImageSets', 'Segmentation', 'train.txt');
    if (!fs.existsSync(list)) throw new DataError(list, 'missing id list');
    this.ids = fs.readFileSync(list, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  }

  async get(index: number): Promise<SegSample> {
    const id = this.ids[index];
    const labelFile = path.join(this.options.root, 'SegmentationClass', `${id}.png`);
    const [image, bytes] = await Promise.all([
      decodeImageFast(path.join(this.options.root, 'JPEGImages', `${id}.jpg`)),
      fs.promises.readFile(labelFile),
    ]);
    const label = decodeIndexedPng(bytes, labelFile) ?? readLabelPng(labelFile);
    return { id, image, target: label, hidden: { ...label, data: label.data.slice() } };
  }
}

export function registerBenchDatasets(registries: Registries): void {
  registries.dataset.register('bench-voc-files', VocFilesDataset, VocFilesOptions, 'VOC-layout folder, fast decoders, raw labels', 'bench/data');
}
