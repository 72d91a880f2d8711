// bench/data: generation time of the synthetic benchmark (64 px, the default) against a vectorised numpy
// implementation of the same recipe (the prototype measured 1.3 ms/image in numpy).
// Usage: SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register bench/data/bench-synthetic.ts [--images 1000] [--rounds 3]
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { SeededRng } from '@zls/core';
import { generateSyntheticImage } from '@zls/data';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const images = Number(arg('images', '1000'));
const rounds = Number(arg('rounds', '3'));
const size = 64;

function zlsMsPerImage(round: number): number {
  for (let i = 0; i < 50; i++) generateSyntheticImage(SeededRng.derive(99, i), size); // JIT warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < images; i++) generateSyntheticImage(SeededRng.derive(round, i), size);
  return Number(process.hrtime.bigint() - start) / 1e6 / images;
}

function numpyMsPerImage(): number {
  const script = path.join(__dirname, 'reference_synthetic_numpy.py');
  const run = spawnSync('/usr/bin/python3', [script, String(images), String(size)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`reference failed:\n${run.stderr}`);
  return (JSON.parse(run.stdout.trim()) as { ms_per_image: number }).ms_per_image;
}

const ratios: number[] = [];
for (let r = 0; r < rounds; r++) {
  const ours = zlsMsPerImage(r);
  const ref = numpyMsPerImage();
  ratios.push(ref / ours);
  console.log(`round ${r + 1}: zls ${ours.toFixed(3)} ms/image, numpy ${ref.toFixed(3)} ms/image, speed ratio ${(ref / ours).toFixed(2)}×`);
}
const sorted = [...ratios].sort((a, b) => a - b);
console.log(`synthetic generation (${images} images of ${size} px): median speed ratio zls / numpy ${sorted[Math.floor(sorted.length / 2)].toFixed(2)}×`);
