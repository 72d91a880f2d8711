import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { chooseEngines, selectBackend, wasmOrtSessions } from '@zls/backend';
import { loadConfig, type ComponentConfig, type SegmentationModel } from '@zls/core';
import { labelTrainingSet } from '@zls/engine';
import { useTempDir } from '@zls/testing';
import { createRegistries } from '../registries';
import { createDataService } from '../services/data-service';
import { createModelService } from '../services/model-service';

const strict2r = path.resolve(__dirname, '../../../../experiments/strict/strict-2r_synthetic-net_1000+2x400_synthetic-64.yaml');
const MB = 1024 * 1024;

/**
 * STRICT labelling as runExperiment runs it for two rounds (round 2's generator is a copy of round 1's, each
 * round labelling through its own frozen view when graph engines are on), with four rescales of a 65-px image:
 * 5 input shapes per batch, so the tfjs path builds a single-op session per (op, shape).
 *
 * Measured on the project's 2-core machine: with onnxruntime's default CPU arena in every session, resident
 * memory grew by 790–830 MB over both rounds on wasm-ort (each of the ~46 single-op sessions keeping its own
 * peak), against 160–240 MB without it (the wasm heap, the sessions' graphs, malloc's free lists). The whole-graph
 * path (one session per class list) grew by 45–100 MB either way at this size; on 513-px VOC views its arena held
 * 1 GB more (libs/backend/src/ort/ort-binding.ts), which a test-sized network cannot show.
 */
async function labelTwoRounds(backend: 'auto' | 'wasm-ort', scratchDir: string): Promise<{ grown: number[]; tensors: number[] }> {
  const registries = createRegistries();
  const { config } = loadConfig(strict2r, [
    `backend=${backend}`,
    'dataset.size=65',
    'dataset.nTrain=4',
    'dataset.nVal=4',
    'dataset.nTest=4',
    'selfTraining.pseudoLabel.scales=[1.5, 2, 2.5, 3]',
  ]);
  const engines = chooseEngines(config['backend'] as string);
  await selectBackend(engines.tfjsBackend);
  const data = createDataService({
    registries,
    dataset: config['dataset'] as ComponentConfig,
    splits: { train: 'train', eval: 'test', calibration: 'val' },
    transforms: config['transforms'] as ComponentConfig[],
    evalTransforms: config['evalTransforms'] as ComponentConfig[],
    workers: 0,
    scratchDir,
  });
  const models = createModelService(registries, config['model'] as never, data.classSpace);
  const labeler = registries.pseudoLabeler.build((config['selfTraining'] as { pseudoLabel: ComponentConfig }).pseudoLabel, 'selfTraining.pseudoLabel');
  const unseen = data.classSpace.unseenIndices;
  let generator: SegmentationModel = models.create(1);
  const rss = [process.memoryUsage().rss];
  const tensors = [tf.memory().numTensors];
  for (let round = 1; round <= 2; round++) {
    const view = (engines.graphs ? generator.frozenView?.(2) : undefined) ?? generator;
    const labelled = await labelTrainingSet(view, labeler, data.pass('train', 4), unseen);
    expect(labelled).toHaveLength(4);
    if (view !== generator) view.dispose();
    const student = models.copy(generator);
    generator.dispose();
    generator = student;
    rss.push(process.memoryUsage().rss);
    tensors.push(tf.memory().numTensors);
  }
  generator.dispose();
  return { grown: rss.slice(1).map((r) => (r - rss[0]) / MB), tensors };
}

/** Growth allowed over both rounds: about twice what was measured, and half what the arenas kept on wasm-ort. */
const BOUND_MB = { auto: 200, 'wasm-ort': 400 } as const;

describe('round-2 STRICT labelling keeps resident memory bounded', () => {
  const dir = useTempDir('zls-label-memory-');

  it.each(['auto', 'wasm-ort'] as const)('on %s: within the bound over both rounds, under 100 MB more in round 2', async (backend) => {
    const { grown, tensors } = await labelTwoRounds(backend, dir());
    expect(grown[1]).toBeLessThan(BOUND_MB[backend]);
    // Round 2 meets the same shapes again: nothing more may pile up (no session, arena or tensor per view).
    expect(grown[1] - grown[0]).toBeLessThan(100);
    expect(tensors[2]).toBe(tensors[1]);
    expect(wasmOrtSessions.size).toBeLessThanOrEqual(512);
  }, 120_000);
});
