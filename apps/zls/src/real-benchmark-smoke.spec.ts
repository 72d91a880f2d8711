import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeCocoStuffSmokeFolder, writeVocSmokeFolder } from '@zls/data';

/**
 * Every real-benchmark config, run as a user runs it — `zls train CONFIG --allow-random-init --set dataset.root=…`,
 * then `zls report RUN` — on small folders in the real VOC 2012 and COCO-Stuff-164k layouts (real JPEGs and label
 * PNGs: crops and mirrors of the shipped samples), with the configs' own networks (DeepLab-v2 ResNet-101 for SPNet
 * and STRICT, ZS3Net's DeepLabv3+ ResNet-101), transform chain, optimiser, pseudo-labellers and 513-warp scoring,
 * at fewer steps and smaller images. Each asserts exit code 0, a supervised loss that went down, and every artifact
 * a run writes; one line per config gives its times.
 *
 * What is reduced, and why (ResNet-101 takes about 9 s per training step at 161², batch 1, on a 2-core machine,
 * and each process spends about 20 s more building, exporting and loading a 87 M-weight network):
 * - Random initialisation (`--allow-random-init`): no ImageNet weights in CI. The frozen-BN ResNet estimates its
 *   batch-norm statistics from the first batch, and its features are then large: the first losses are 10–15.
 * - Images warped to 161² instead of 513² before the random scale, pad and crop (all 161², 8·20 + 1, so mirrored
 *   score grids stay aligned): each training crop holds the whole image, so the loss curve follows learning
 *   rather than which part of the image a crop happened to cut.
 * - 4 supervised steps at batch 1: two epochs of the two VOC training images (one aeroplane scene; one of bicycles
 *   and people), so that the first and the last epoch's mean losses are over the same images.
 * - SPNet's `train.lr` 5e-6 instead of 2.5e-4 (head 10×, biases 20×). On those random features the reference
 *   rate overshoots (four steps at batch 2 went 3.7 → 20.6 → 24.2 → 73.7); epoch means measured over three epochs:
 *   12.9 → 10.9 → 5.9 at 3e-6, 13.2 → 8.3 → 7.6 at 6e-6, and 12.4 → 10.0 → 7.5 at 5e-6 at quarter width. ZS3Net
 *   keeps its own rate (0.007): its trained batch norm keeps the features normalised (3.7 → 2.4 → 1.9).
 * - Self-training rounds: 1 step each (the round's labelling pass over the training set, its online labelling,
 *   one student update, its evaluation).
 * - The evaluation input (and with it each round's labelling pass, which runs at the evaluation size) is warped to
 *   129² instead of 513² (`evalTransforms.0.size`) except in the VOC SPNet run: STRICT labels with six views up to
 *   ×1.75, which at 513² would take ResNet-101 minutes per image here. Every run still counts its scores on labels
 *   warped to 513² (`eval.warpSize`), and the VOC SPNet run keeps the whole 513 protocol.
 * - ZS3Net's generator and classifier: 40 steps each instead of 2 000 and 30 epochs (`classifierEpochs=0`: a step count).
 * - SPNet-c and the two COCO-Stuff runs use ResNet-101 at a quarter of its width (`model.backbone.baseWidth` 16):
 *   at full width the eight runs took about 11 minutes of an idle 2-core machine, most of it fixed per-process and
 *   per-stage cost of the 87 M weights (SPNet-c trains a second SPNet; STRICT-2r on COCO-Stuff three stages).
 *   VOC SPNet, SPNet+ST and STRICT-2r (one shared supervised stage) and ZS3Net/ZS5Net keep the full network.
 * All runs share one stage folder, so SPNet+ST and STRICT-2r reuse the VOC SPNet run's supervised stage (same stage
 * key), ZS5Net reuses ZS3Net's two stages and COCO-Stuff STRICT-2r the COCO-Stuff SPNet's, as in a real study.
 */

const root = path.resolve(__dirname, '../../..');
const bin = path.join(root, 'apps/zls/bin/zls.cjs');
const experiments = path.join(root, 'experiments');

const SUPERVISED_STEPS = 4;
/** Training images warped, padded and cropped at 161² (transforms 0 resize, 2 pad, 3 random-crop of every config). */
const geometry = ['transforms.0.size=161', 'transforms.2.height=161', 'transforms.2.width=161', 'transforms.3.height=161', 'transforms.3.width=161'];
/** The supervised stage (the same overrides in every run on a dataset, so that runs share its stage key). */
const spnet = [...geometry, `train.iterations=${SUPERVISED_STEPS}`, 'train.batchSize=1', 'train.lr=5e-6'];
const zs3 = [...geometry, `train.iterations=${SUPERVISED_STEPS}`, 'train.batchSize=1', 'generative.generatorIterations=40', 'generative.classifierEpochs=0', 'generative.classifierIterations=40'];
/** ResNet-101 at a quarter of its width (16-channel stem, 512-channel layer4): the same 101 layers, dilations, Caffe
 * stem and frozen batch norm, a sixteenth of the backbone's weights. Only where the budget needs it (see above). */
const narrow = ['model.backbone.baseWidth=16'];
const rounds = ['selfTraining.train.iterations=1', 'selfTraining.train.batchSize=1'];
/** The evaluation (and round labelling) input warped to 129² (8·16 + 1) instead of 513²; labels still scored at 513². */
const smallEval = ['evalTransforms.0.size=129'];

interface SmokeCase {
  title: string;
  config: string;
  data: 'voc' | 'coco';
  set: string[];
  /** results.json's stages, in order. */
  stages: string[];
  /** Stages this run trains itself (the others come from an earlier run's stage folder). */
  trains: string[];
}

const CASES: SmokeCase[] = [
  {
    title: 'VOC SPNet (ResNet-101; 513² evaluation input, 513-warp scoring)',
    config: 'spnet/spnet_r101_20k_voc12-321.yaml',
    data: 'voc',
    set: spnet,
    stages: ['spnet'],
    trains: ['spnet'],
  },
  {
    title: 'VOC SPNet-c (ResNet-101 at quarter width; held-out-seen γ; 129² evaluation input, 513-warp scoring)',
    config: 'spnet-c/spnet-c_r101_20k_voc12-321.yaml',
    data: 'voc',
    set: [...spnet, ...narrow, ...smallEval],
    stages: ['spnet', 'calibrated'],
    trains: ['spnet'],
  },
  {
    title: 'VOC SPNet+ST (ResNet-101; online argmax labels; 129² evaluation input, 513-warp scoring)',
    config: 'spnet-st/spnet-st_r101_20k+2k_voc12-321.yaml',
    data: 'voc',
    set: [...spnet, ...rounds, ...smallEval],
    stages: ['spnet', 'round-1'],
    trains: ['round-1'],
  },
  {
    title: 'VOC STRICT-2r (ResNet-101; 6-view consistency, two rounds; 129² evaluation input, 513-warp scoring)',
    config: 'strict/strict-2r_r101_20k+2x2k_voc12-321.yaml',
    data: 'voc',
    set: [...spnet, ...rounds, ...smallEval],
    stages: ['spnet', 'round-1', 'round-2'],
    trains: ['round-1', 'round-2'],
  },
  {
    title: 'VOC ZS3Net (DeepLabv3+ ResNet-101; GMMN; 129² evaluation input, 513-warp scoring)',
    config: 'zs3/zs3net_r101_132k_voc12-321.yaml',
    data: 'voc',
    set: [...zs3, ...smallEval],
    stages: ['spnet', 'zs3net'],
    trains: ['spnet', 'zs3net'],
  },
  {
    title: 'VOC ZS5Net (DeepLabv3+ ResNet-101; cached top-p labels; 129² evaluation input, 513-warp scoring)',
    config: 'zs5/zs5net_r101_132k+2k_voc12-321.yaml',
    data: 'voc',
    set: [...zs3, ...rounds, ...smallEval],
    stages: ['spnet', 'zs3net', 'round-1'],
    trains: ['round-1'],
  },
  {
    title: 'COCO-Stuff SPNet (ResNet-101 at quarter width; 129² evaluation input, 513-warp scoring)',
    config: 'spnet/spnet_r101_100k_cocostuff-321.yaml',
    data: 'coco',
    set: [...spnet, ...narrow, ...smallEval],
    stages: ['spnet'],
    trains: ['spnet'],
  },
  {
    title: 'COCO-Stuff STRICT-2r (ResNet-101 at quarter width; 6-view consistency, two rounds; 129² evaluation input, 513-warp scoring)',
    config: 'strict/strict-2r_r101_100k+2x22k_cocostuff-321.yaml',
    data: 'coco',
    set: [...spnet, ...narrow, ...rounds, ...smallEval],
    stages: ['spnet', 'round-1', 'round-2'],
    trains: ['round-1', 'round-2'],
  },
];

interface StageRecord {
  name: string;
  key: string;
  dir: string;
  trained: boolean;
}

interface RunResults {
  name: string;
  stages: StageRecord[];
  calibration?: { rule: string; gamma: number };
  pseudoLabelQuality: { round: number }[];
}

const readJsonl = (file: string): Record<string, unknown>[] =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** A stack trace's frame line (`    at f (file.ts:1:2)`): what a crash prints and a handled error never does. */
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

/** CPU seconds of this process's finished children (Linux /proc; clock ticks of 1/100 s), for the timing line. */
function childCpuSeconds(): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

function zls(args: string[]): { status: number | null; stdout: string; stderr: string; seconds: number } {
  const t0 = Date.now();
  // A hang guard, far above the few minutes a run takes on a quiet machine.
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 30 * 60_000, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, seconds: (Date.now() - t0) / 1000 };
}

describe('real-benchmark configs: smoke runs on real-format fixtures', () => {
  let work = '';
  const roots: Record<SmokeCase['data'], string> = { voc: '', coco: '' };

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'zls-real-smoke-'));
    // VOC: two training images of two scenes (aeroplane; bicycles and people) and one validation image.
    roots.voc = path.join(work, 'voc');
    await writeVocSmokeFolder(roots.voc, { train: 2, val: 1, order: 'interleaved' });
    // COCO-Stuff: the crop around the sample's sky-other patch (its one seen class; clouds and tree are unseen)
    // for training, its labelled band (all three) for validation.
    roots.coco = path.join(work, 'cocostuff');
    await writeCocoStuffSmokeFolder(roots.coco, { train: 1, val: 1 });
  });

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it.each(CASES)('$title', (c) => {
    const out = path.join(work, 'runs');
    const args = ['train', path.join(experiments, c.config), '--out', out, '--no-progress', '--allow-random-init', '--set', `dataset.root=${roots[c.data]}`, ...c.set.flatMap((s) => ['--set', s])];
    const train = zls(args);
    if (train.status !== 0) throw new Error(`zls train ${c.config} exited with ${train.status}:\n${train.stderr.slice(-4000)}`);
    expect(train.stderr).not.toMatch(STACK_FRAME);
    const runDir = /^results: (.+)\/results\.json/m.exec(train.stdout)?.[1] as string;
    expect(fs.existsSync(runDir)).toBe(true);

    // The run folder: resolved config, results, per-stage metrics and example predictions.
    const results = JSON.parse(fs.readFileSync(path.join(runDir, 'results.json'), 'utf8')) as RunResults;
    expect(results.stages.map((s) => s.name)).toEqual(c.stages);
    for (const f of ['config.yaml', 'config.json', 'results.json']) expect(fs.existsSync(path.join(runDir, f))).toBe(true);
    for (const s of results.stages) {
      const metrics = JSON.parse(fs.readFileSync(path.join(runDir, 'metrics', `${s.name}.json`), 'utf8')) as { warpSize: number | null };
      expect(metrics.warpSize).toBe(513);
      const examples = path.join(runDir, 'examples', s.name);
      expect(fs.existsSync(path.join(examples, 'index.json'))).toBe(true);
      expect(fs.readdirSync(examples).filter((f) => f.endsWith('.png')).length).toBeGreaterThan(0);
    }
    expect(results.stages.filter((s) => s.trained).map((s) => s.name)).toEqual(c.trains);

    // Each stage's folder: its checkpoint and training log; each round's pseudo-label quality and examples.
    for (const s of results.stages.filter((st) => st.name !== 'calibrated')) {
      const stageDir = path.join(runDir, s.dir);
      expect(fs.readdirSync(stageDir).some((f) => f.endsWith('.safetensors'))).toBe(true);
      expect(fs.existsSync(path.join(stageDir, 'train.jsonl'))).toBe(true);
      if (s.name.startsWith('round-')) {
        expect(fs.existsSync(path.join(stageDir, 'pseudo-label-quality.json'))).toBe(true);
        expect(fs.existsSync(path.join(stageDir, 'examples', 'index.json'))).toBe(true);
      }
    }
    expect(results.pseudoLabelQuality.map((q) => q.round)).toEqual(c.stages.filter((s) => s.startsWith('round-')).map((_, i) => i + 1));

    // The supervised loss went down: the last epoch's mean below the first's (the same images in each).
    const losses = (s: StageRecord) => readJsonl(path.join(runDir, s.dir, 'train.jsonl')).map((r) => r['loss'] as number);
    const supervised = losses(results.stages[0]);
    expect(supervised).toHaveLength(SUPERVISED_STEPS);
    expect(supervised.every(Number.isFinite)).toBe(true);
    const half = SUPERVISED_STEPS / 2;
    expect(mean(supervised.slice(half))).toBeLessThan(mean(supervised.slice(0, half)));
    for (const s of results.stages.filter((st) => st.name.startsWith('round-'))) expect(losses(s).every(Number.isFinite)).toBe(true);

    if (c.stages.includes('calibrated')) {
      expect(results.calibration?.rule).toBe('held-out-seen');
      expect(fs.existsSync(path.join(runDir, 'metrics', 'calibrated.json'))).toBe(true);
    }
    if (c.stages.includes('zs3net')) {
      // ZS3Net's generative stage: the generator's MMD and the retrained classifier's loss both went down.
      const log = readJsonl(path.join(runDir, results.stages[c.stages.indexOf('zs3net')].dir, 'train.jsonl'));
      for (const phase of ['zs3-generator', 'zs3-classifier']) {
        const l = log.filter((r) => r['stage'] === phase).map((r) => r['loss'] as number);
        expect(l).toHaveLength(40);
        expect(mean(l.slice(-10))).toBeLessThan(mean(l.slice(0, 10)));
      }
    }

    // The report: one HTML file with the run's table, curves and examples.
    const report = zls(['report', runDir]);
    if (report.status !== 0) throw new Error(`zls report exited with ${report.status}:\n${report.stderr.slice(-4000)}`);
    const html = fs.readFileSync(path.join(runDir, 'report.html'), 'utf8');
    expect(html).toContain(results.name);
    expect(html).toContain('<svg');
    const cpu = childCpuSeconds();
    process.stdout.write(`${c.config}: train ${train.seconds.toFixed(0)} s, report ${report.seconds.toFixed(0)} s${cpu === undefined ? '' : ` (CPU of every command so far: ${cpu.toFixed(0)} s)`}\n`);
  }, 35 * 60_000);
});
