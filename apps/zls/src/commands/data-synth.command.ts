import { Command, InvalidArgumentError, Option } from 'commander';
import { validateOptions } from '@zls/core';
import { SyntheticDatasetOptions, writeSyntheticVoc, type SyntheticImageFormat } from '@zls/data';

interface SynthFlags {
  out: string;
  seed: number;
  size: number;
  nTrain: number;
  nVal: number;
  nTest: number;
  sigma: number;
  background: 'ignore' | 'class';
  imageFormat: SyntheticImageFormat;
}

function integer(flag: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${flag} must be a non-negative integer, got "${value}"`);
    return Number(value);
  };
}

function number(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${flag} must be a number, got "${value}"`);
    return n;
  };
}

/**
 * `zls data synth --out DIR`: writes the synthetic benchmark in the VOC layout (images, palette label PNGs,
 * ImageSets lists, classes.json, embeddings.json). Returned as the `synth` subcommand for a `data` command.
 */
export function dataSynthCommand(): Command {
  const defaults = new SyntheticDatasetOptions();
  return new Command('synth')
    .description('write the synthetic zero-label benchmark (5 shapes × 4 colours, 5 unseen) in the VOC layout')
    .requiredOption('--out <dir>', 'output folder (JPEGImages/, SegmentationClass/, ImageSets/Segmentation/, classes.json, embeddings.json)')
    .option('--seed <n>', 'data seed (split seeds 10·seed + 1/2/3, embedding seed 1234 + seed)', integer('--seed'), defaults.seed)
    .option('--size <px>', 'image side', integer('--size'), defaults.size)
    .option('--n-train <n>', 'training images', integer('--n-train'), defaults.nTrain)
    .option('--n-val <n>', 'validation images', integer('--n-val'), defaults.nVal)
    .option('--n-test <n>', 'test images', integer('--n-test'), defaults.nTest)
    .option('--sigma <x>', 'noise σ of the class embeddings', number('--sigma'), defaults.sigma)
    .addOption(new Option('--background <mode>', 'ignore (VOC default) or class (--bkg)').choices(['ignore', 'class']).default(defaults.background))
    .addOption(
      new Option('--image-format <fmt>', 'png keeps the exact pixels; jpeg (quality 95, 4:4:4) alters them slightly')
        .choices(['png', 'jpeg'])
        .default('png'),
    )
    .action(async (flags: SynthFlags) => {
      const { out, imageFormat, ...generator } = flags;
      const options = validateOptions(SyntheticDatasetOptions, generator as unknown as Record<string, unknown>, 'data synth');
      const started = Date.now();
      let lastPercent = -1;
      const written = await writeSyntheticVoc({
        ...options,
        out,
        imageFormat,
        onProgress: (done, total) => {
          const percent = Math.floor((100 * done) / total);
          if (percent % 10 === 0 && percent !== lastPercent) {
            lastPercent = percent;
            process.stderr.write(`\rwriting ${done}/${total} images`);
          }
        },
      });
      process.stderr.write('\n');
      const { train, val, test } = written.counts;
      process.stdout.write(
        `wrote ${train} train, ${val} val, ${test} test images (${options.size} px, background ${options.background}) to ${out} ` +
          `in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      );
    });
}
