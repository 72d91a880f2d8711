// Confusion-matrix accumulation speed: ConfusionMatrix.add (libs/metrics) against numpy's bincount recipe on
// the same arrays. Run from the repository root:
//   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register bench/metrics/run-bench.ts
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfusionMatrix, Evaluator } from '@zls/metrics';
import type { ClassInfo } from '@zls/core';
import { makeLabelMaps, type Scenario } from './synthetic-label-maps';

const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const REPEATS = 7;

const scenarios: Scenario[] = [
  { name: 'voc12-like (20 classes, background ignored)', numClasses: 20, images: 100, height: 366, width: 500, ignoreBackground: true },
  { name: 'cocostuff-like (182 classes)', numClasses: 182, images: 100, height: 480, width: 640, ignoreBackground: false },
  { name: 'worst case: i.i.d. noise, no runs (20 classes)', numClasses: 20, images: 50, height: 366, width: 500, ignoreBackground: false, iidNoise: true },
];

function bestMs(run: () => void): number {
  run(); // warm-up: let the JIT settle before timing
  let best = Infinity;
  for (let r = 0; r < REPEATS; r++) {
    const t0 = process.hrtime.bigint();
    run();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return best;
}

function main(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zls-bench-metrics-'));
  try {
    for (const s of scenarios) {
      const { gt, pred } = makeLabelMaps(s, 42);
      const px = s.height * s.width;
      const file = path.join(dir, 'maps.bin');
      const header = new Uint8Array(Uint32Array.of(s.images, s.height, s.width, s.numClasses).buffer);
      fs.writeFileSync(file, Buffer.concat([header, gt, pred]));

      let cm = new ConfusionMatrix(s.numClasses);
      const tsMs = bestMs(() => {
        cm = new ConfusionMatrix(s.numClasses);
        for (let k = 0; k < s.images; k++) cm.add(gt.subarray(k * px, (k + 1) * px), pred.subarray(k * px, (k + 1) * px));
      });
      const classes: ClassInfo[] = Array.from({ length: s.numClasses }, (_, i) => ({ index: i, labelId: i, name: `c${i}`, role: i < 5 ? 'unseen' : 'seen' }));
      const space = { name: s.name, numClasses: s.numClasses, classes, seenIndices: classes.filter((c) => c.role === 'seen').map((c) => c.index), unseenIndices: [0, 1, 2, 3, 4] };
      const evMs = bestMs(() => {
        const ev = new Evaluator(space);
        for (let k = 0; k < s.images; k++) {
          const at = (a: Uint8Array) => ({ data: a.subarray(k * px, (k + 1) * px), height: s.height, width: s.width });
          ev.add(at(pred), at(gt));
        }
      });

      const py = JSON.parse(execFileSync(PYTHON, [path.join(__dirname, 'bincount_reference.py'), file, String(REPEATS)], { encoding: 'utf8' }));
      let diagonal = 0;
      for (let c = 0; c < s.numClasses; c++) diagonal += cm.count(c, c);
      if (py.scored !== cm.scoredPixels || py.diagonal !== diagonal) {
        throw new Error(`${s.name}: numpy counted ${py.scored} pixels (${py.diagonal} correct), ConfusionMatrix ${cm.scoredPixels} (${diagonal})`);
      }
      const mpx = (s.images * px) / 1e6;
      console.log(`${s.name}: ${s.images} images ${s.height}×${s.width} (${mpx.toFixed(1)} Mpx, ${((100 * cm.scoredPixels) / (s.images * px)).toFixed(0)} % scored)`);
      console.log(`  ConfusionMatrix.add   ${tsMs.toFixed(1)} ms  (${(mpx / (tsMs / 1000)).toFixed(0)} Mpx/s)`);
      console.log(`  Evaluator.add         ${evMs.toFixed(1)} ms  (checks + rollback-safe merge)`);
      console.log(`  numpy ${py.numpy} bincount ${py.ms.toFixed(1)} ms  (${(mpx / (py.ms / 1000)).toFixed(0)} Mpx/s)`);
      console.log(`  ratio numpy / ConfusionMatrix: ${(py.ms / tsMs).toFixed(2)}×  (target ≥ 2×; same counts checked)`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
