import * as path from 'node:path';
import * as fs from 'node:fs';
import { Command } from 'commander';
import { ZlsError, type Registries } from '@zls/core';
import { OnnxInferenceSession } from '@zls/backend';
import { NORMALIZATIONS, decodeRgbImage, normalizeImage, writeLabelPng, type NormalizationPreset } from '@zls/data';
import { argmaxClasses, predictScoresOnnx, predictScoresTfjs, readOnnxModel, type SegmentationNet } from '@zls/models';
import { loadCheckpointModel, parseClassList } from './model-source';

export interface PredictOptions {
  /** A .safetensors checkpoint or an exported .onnx model. */
  model: string;
  images: string[];
  out: string;
  config?: string;
  plugin?: string[];
  normalization?: string;
  classes?: string;
  /** Run a checkpoint's tfjs forward instead of its ONNX export (slower; for checking). */
  tfjs?: boolean;
  threads?: number;
}

/** Label value written for each output index: the checkpoint's dataset label ids when it records them. */
function labelTable(numClasses: number, classes: number[] | undefined, labelIds: number[] | undefined): number[] {
  const indices = classes ?? Array.from({ length: numClasses }, (_, i) => i);
  return indices.map((c) => labelIds?.[c] ?? c);
}

function normalization(options: PredictOptions, metadata: Record<string, string>): NormalizationPreset {
  const name = options.normalization ?? metadata['zls.normalization'] ?? metadata['normalization'];
  if (!name) throw new ZlsError(`--normalization is required (one of ${Object.keys(NORMALIZATIONS).join(', ')}): the model does not record it`);
  if (!(name in NORMALIZATIONS)) throw new ZlsError(`--normalization: '${name}' is not one of ${Object.keys(NORMALIZATIONS).join(', ')}`);
  return name as NormalizationPreset;
}

/**
 * Segments each image and writes DIR/<name>.png, a palette PNG of label values. Checkpoints are exported to
 * ONNX in memory and run in onnxruntime-node (the fast path) unless `tfjs` is set; .onnx files run directly.
 */
export async function runPredict(options: PredictOptions, registries?: Registries): Promise<string[]> {
  if (!options.images.length) throw new ZlsError('predict: no images given');
  const isOnnx = options.model.toLowerCase().endsWith('.onnx');
  let net: SegmentationNet | undefined;
  let metadata: Record<string, string> = {};
  let table: number[] | undefined;
  let session: OnnxInferenceSession | undefined;
  let classes: number[] | undefined;
  try {
    if (isOnnx) {
      if (!fs.existsSync(options.model)) throw new ZlsError(`${options.model}: model file is missing`);
      metadata = readOnnxModel(new Uint8Array(fs.readFileSync(options.model)), options.model).metadata;
      const ids = metadata['zls.label_ids'];
      if (ids) table = JSON.parse(ids) as number[];
      session = await OnnxInferenceSession.create(options.model, { threads: options.threads ?? 2 });
    } else {
      const loaded = await loadCheckpointModel({ checkpoint: options.model, config: options.config, plugin: options.plugin }, registries);
      net = loaded.model;
      metadata = loaded.metadata;
      classes = parseClassList(options.classes, net.numClasses);
      table = labelTable(net.numClasses, classes, loaded.labelIds);
      if (!options.tfjs) session = await OnnxInferenceSession.create(net.toOnnx({ classes }), { threads: options.threads ?? 2 });
    }
    const preset = NORMALIZATIONS[normalization(options, metadata)];
    fs.mkdirSync(options.out, { recursive: true });
    const written: string[] = [];
    for (const file of options.images) {
      const image = normalizeImage(await decodeRgbImage(file), preset);
      const { height, width } = image;
      const input = image.data as Float32Array;
      let scores: Float32Array;
      let numClasses: number;
      if (session) ({ scores, numClasses } = await predictScoresOnnx(session, input, height, width));
      else {
        scores = predictScoresTfjs(net as SegmentationNet, input, height, width, classes);
        numClasses = classes?.length ?? (net as SegmentationNet).numClasses;
      }
      const indices = argmaxClasses(scores, numClasses);
      const lookup = table;
      const values = lookup ? indices.map((i) => lookup[i]) : indices;
      const target = path.join(options.out, `${path.parse(file).name}.png`);
      writeLabelPng(target, { data: values, height, width });
      written.push(target);
    }
    return written;
  } finally {
    await session?.dispose();
    net?.dispose();
  }
}

/** `zls predict --model FILE IMAGES… --out DIR`: palette PNG masks from a checkpoint or an exported model. */
export function predictCommand(): Command {
  return new Command('predict')
    .description('segment images with a checkpoint or an exported .onnx model; writes palette PNG masks')
    .argument('<images...>', 'image files (PNG, JPEG, …)')
    .requiredOption('--model <file>', 'a .safetensors checkpoint or an .onnx model from zls export')
    .requiredOption('--out <dir>', 'folder for the masks (<image name>.png)')
    .option('--normalization <preset>', `input normalisation: ${Object.keys(NORMALIZATIONS).join(', ')} (default: recorded in the checkpoint)`)
    .option('--config <file>', "the run's config, when the checkpoint does not record its model")
    .option('--classes <list>', "output indices to choose among, comma-separated, or 'all'", 'all')
    .option('--tfjs', "run the checkpoint's tfjs forward instead of onnxruntime")
    .option('--threads <n>', 'onnxruntime threads', (v) => Number(v), 2)
    .option('--plugin <name...>', 'plugin packages that provide the backbone or head')
    .action(async (images: string[], opts: Omit<PredictOptions, 'images'>) => {
      const written = await runPredict({ ...opts, images });
      process.stdout.write(`wrote ${written.length} mask${written.length === 1 ? '' : 's'} to ${opts.out}\n`);
    });
}
