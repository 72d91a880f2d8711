import * as path from 'node:path';
import { Command } from 'commander';
import { ZlsError } from '@zls/core';
import { readPth, writeSafetensors } from '@zls/models';

/**
 * `zls weights import FILE.pth --out FILE.safetensors`: converts a PyTorch state dict (e.g. torchvision's
 * ImageNet ResNet-101) to safetensors without Python. `.pth` files can also be given directly wherever a
 * weights path is accepted (`model.backbone.weights`); converting once makes later loads faster.
 */
export function weightsCommand(): Command {
  const importCommand = new Command('import')
    .description('convert a PyTorch .pth/.pt state dict (torch.save, PyTorch ≥ 1.6) to .safetensors, without Python')
    .argument('<file>', 'the .pth or .pt file')
    .option('--out <file>', 'the .safetensors file to write (default: beside the input)')
    .action((file: string, opts: { out?: string }) => {
      const out = opts.out ?? file.replace(/\.(pth|pt)$/i, '') + '.safetensors';
      if (path.resolve(out) === path.resolve(file)) throw new ZlsError(`--out ${out} would overwrite the input`);
      const weights = readPth(file);
      writeSafetensors(out, weights);
      const counts = new Map<string, number>();
      for (const e of weights.tensors.values()) counts.set(e.dtype, (counts.get(e.dtype) ?? 0) + 1);
      const kinds = [...counts].map(([d, n]) => `${n} ${d}`).join(', ');
      process.stdout.write(`${out}: ${weights.tensors.size} tensors (${kinds}) from ${file}\n`);
    });
  return new Command('weights').description('pretrained weights: import PyTorch files').addCommand(importCommand);
}
