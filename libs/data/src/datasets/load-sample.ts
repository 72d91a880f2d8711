import { DataError, type ImageBuffer } from '@zls/core';
import { readLabelPng } from '../labels/label-png';
import { applyLabelTables, type MappedLabels } from '../masking/apply-label-tables';
import type { LabelTables } from '../masking/label-tables';
import { decodeRgbImage } from './decode-rgb-image';
import type { SampleFiles } from './sample-files';

export interface LoadedSample extends MappedLabels {
  image: ImageBuffer;
}

/** Decodes one image + label pair, checks that their sizes agree and maps the labels to output indices. */
export async function loadSample(files: SampleFiles, tables: LabelTables): Promise<LoadedSample> {
  const [image, raw] = await Promise.all([decodeRgbImage(files.image), Promise.resolve().then(() => readLabelPng(files.label))]);
  if (image.width !== raw.width || image.height !== raw.height) {
    throw new DataError(files.label, `label map is ${raw.width}×${raw.height} but its image ${files.image} is ${image.width}×${image.height}`);
  }
  return { image, ...applyLabelTables(raw, tables, files.label) };
}

/** Reads only the label map (for filtering and statistics that do not need pixels). */
export function loadLabels(files: SampleFiles, tables: LabelTables): MappedLabels {
  return applyLabelTables(readLabelPng(files.label), tables, files.label);
}
