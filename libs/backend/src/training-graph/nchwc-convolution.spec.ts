import { SeededRng } from '@zls/core';
import { OnnxGraphBuilder, type OnnxAttrValue } from '../onnx/onnx-graph-builder';
import { buildTrainingGraph } from './build-training-graph';
import { nchwcBlockSize } from './nchwc-convolution';
import { OnnxTrainingSession } from './onnx-training-session';

const rng = new SeededRng(11);
const random = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));

/**
 * x → Conv(a) → Relu → Conv(b): both filters and x are trained, so the training graph holds forward convolutions
 * and, for the stride-1 ones, dx convolutions with swapped filters.
 */
function twoConvolutions(c: number, second: Record<string, OnnxAttrValue>) {
  const g = new OnnxGraphBuilder('two-convolutions');
  g.addInput('unused', [1]);
  g.addInitializer('x', random(2 * c * 11 * 9), [2, c, 11, 9]);
  g.addInitializer('w1', random(2 * c * c * 9), [2 * c, c, 3, 3]);
  g.addInitializer('b1', random(2 * c), [2 * c]);
  g.addInitializer('w2', random(c * 2 * c * 9), [c, 2 * c, 3, 3]);
  const h = g.op('Relu', [g.op('Conv', ['x', 'w1', 'b1'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] })]);
  const y = g.op('Conv', [h, 'w2'], { kernel_shape: [3, 3], ...second });
  g.addOutput(y, null);
  return { ir: g.ir(), y };
}

async function gradients(built: ReturnType<typeof twoConvolutions>, nchwcBlock: number | undefined) {
  const graph = await buildTrainingGraph({
    forward: built.ir,
    inputDims: { unused: [1] },
    parameters: ['x', 'w1', 'b1', 'w2'].map((name) => ({ name, lrMultiplier: 1, weightDecay: 0 })),
    loss: { kind: 'weighted-sum', value: built.y },
    optimizer: { kind: 'sgd', momentum: 0 },
    outputGradients: true,
    nchwcBlock,
  });
  const weights = new SeededRng(3);
  const targets = Float32Array.from({ length: graph.feeds['zls_targets'].dims.reduce((a, b) => a * b, 1) }, () => weights.uniform(-1, 1));
  const session = await OnnxTrainingSession.create(graph, { threads: 1 });
  const { gradients: result } = await session.step({ inputs: { unused: new Float32Array(1) }, targets, lr: 0 });
  await session.dispose();
  return { result, blocked: Buffer.from(graph.bytes).includes('ReorderInput') };
}

describe("convolutions on onnxruntime's channel-blocked (NCHWc) kernels", () => {
  it('the block size is probed on this CPU (x86-64 always has the kernels)', async () => {
    const block = await nchwcBlockSize();
    if (process.arch === 'x64') expect([8, 16]).toContain(block);
    expect(await nchwcBlockSize()).toBe(block);
  });

  it.each([
    ['3×3, padded', { pads: [1, 1, 1, 1] }, 0],
    ['dilation 2', { pads: [2, 2, 2, 2], dilations: [2, 2] }, 0],
    ['stride 2 (dx by ConvTranspose)', { pads: [1, 1, 1, 1], strides: [2, 2] }, 0],
    // 60 → 120 → 60 channels: filters, bias and x padded to whole blocks, the padded outputs dropped.
    ['channels padded to whole blocks', { pads: [1, 1, 1, 1] }, 60],
  ])('%s: the blocked graph gives the plain graph’s gradients for x, filters and bias', async (_label, second, channels) => {
    const block = (await nchwcBlockSize()) ?? 8;
    const built = twoConvolutions(channels || block, second);
    const plain = await gradients(built, undefined);
    const blocked = await gradients(built, block);
    expect(plain.blocked).toBe(false);
    expect(blocked.blocked).toBe(true);
    for (const name of ['x', 'w1', 'b1', 'w2']) {
      const a = plain.result.get(name) as Float32Array;
      const b = blocked.result.get(name) as Float32Array;
      expect(b.length).toBe(a.length);
      const scale = Math.max(1, ...Array.from(a, Math.abs));
      const worst = Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));
      expect(worst / scale).toBeLessThan(1e-5);
    }
  });

  it('inputs whose channels are not a multiple of 4 (ReorderInput) stay on the plain Conv', async () => {
    const block = (await nchwcBlockSize()) ?? 8;
    const built = twoConvolutions(block / 2 + 1, { pads: [1, 1, 1, 1] });
    expect((await gradients(built, block)).blocked).toBe(false);
  });
});
