import { Command, InvalidArgumentError } from 'commander';
import { writeFileAtomic, type Registries } from '@zls/core';
import { loadCheckpointModel, parseClassList, type ModelSourceOptions } from './model-source';

export interface ExportOptions extends ModelSourceOptions {
  out: string;
  classes?: string;
  height?: number;
  width?: number;
}

export interface ExportResult {
  out: string;
  bytes: number;
  numClasses: number;
}

/** Rebuilds the checkpoint's network and writes its inference graph as ONNX (images NHWC → scores NHWC). */
export async function runExport(options: ExportOptions, registries?: Registries): Promise<ExportResult> {
  const { model, metadata: recorded, labelIds } = await loadCheckpointModel(options, registries);
  try {
    const classes = parseClassList(options.classes, model.numClasses);
    // The file says what `zls predict` needs: the label id of each exported score and the input normalisation.
    const metadata: Record<string, string> = {};
    if (labelIds) metadata['zls.label_ids'] = JSON.stringify((classes ?? labelIds.map((_, i) => i)).map((c) => labelIds[c]));
    const normalization = recorded['zls.normalization'] ?? recorded['normalization'];
    if (normalization) metadata['zls.normalization'] = normalization;
    const bytes = model.toOnnx({ classes, height: options.height, width: options.width, metadata });
    writeFileAtomic(options.out, bytes);
    return { out: options.out, bytes: bytes.byteLength, numClasses: classes?.length ?? model.numClasses };
  } finally {
    model.dispose();
  }
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** `zls export --checkpoint FILE --out model.onnx`: the trained network as one ONNX graph for onnxruntime. */
export function exportCommand(): Command {
  return new Command('export')
    .description('write a checkpoint\'s network as an ONNX model (input "images" [N,H,W,3] normalised, output "scores" [N,H,W,C])')
    .requiredOption('--checkpoint <file>', 'a .safetensors checkpoint')
    .requiredOption('--out <file>', 'where to write the .onnx model')
    .option('--config <file>', "the run's config, when the checkpoint does not record its model")
    .option('--classes <list>', "output indices to score, comma-separated, or 'all'", 'all')
    .option('--height <n>', 'fix the input height (default: any)', positiveInt)
    .option('--width <n>', 'fix the input width (default: any)', positiveInt)
    .option('--plugin <name...>', 'plugin packages that provide the backbone or head')
    .action(async (opts: ExportOptions) => {
      const result = await runExport(opts);
      process.stdout.write(`wrote ${result.out} (${result.bytes} bytes, ${result.numClasses} classes)\n`);
    });
}
