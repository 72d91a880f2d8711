import * as tf from '@tensorflow/tfjs';
import type { OnnxGraphBuilder } from '@zls/backend';
import type { Backbone, BackboneOutput, Head, OnnxBackboneOutput } from '@zls/core';
import { HEAD_CHECKS, type HeadUnderTest } from './head-contract';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Flaw = 'declares-other-width' | 'leaks' | 'keeps-bias-on-dispose' | 'dead-variable' | 'ignores-seed' | 'unstable-names' | 'onnx-without-bias';

let nameCounter = 0;

/** A 1×1 convolution with a bias, seeded by the run, that can be made to break one property of the contract. */
class FakeHead implements Head {
  readonly outputChannels: number;
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable;
  private readonly unused?: tf.Variable;

  constructor(seed: number, inChannels: number, private readonly flaw?: Flaw) {
    const s = flaw === 'ignores-seed' ? 1 : seed;
    this.outputChannels = flaw === 'declares-other-width' ? 4 : 3;
    // tidy: tf.variable copies its initial value, which must not outlive the constructor.
    this.weight = tf.tidy(() => tf.variable(tf.randomNormal([1, 1, inChannels, 3], 0, 1, 'float32', s)));
    this.bias = tf.tidy(() => tf.variable(tf.randomNormal([3], 0, 1, 'float32', s + 1)));
    if (flaw === 'dead-variable') this.unused = tf.tidy(() => tf.variable(tf.zeros([2])));
  }

  apply(input: BackboneOutput): tf.Tensor4D {
    if (this.flaw === 'leaks') tf.keep(tf.scalar(1));
    return tf.tidy(() => tf.add(tf.conv2d(input.features, this.weight as tf.Tensor4D, 1, 'same'), this.bias));
  }

  trainableVariables(): tf.Variable[] {
    return [this.weight, this.bias, ...(this.unused ? [this.unused] : [])];
  }

  namedVariables(): Map<string, tf.Variable> {
    const prefix = this.flaw === 'unstable-names' ? `h${nameCounter++}.` : '';
    return new Map([...this.trainableVariables()].map((v, i) => [`${prefix}${['weight', 'bias', 'unused'][i]}`, v]));
  }

  toOnnx(g: OnnxGraphBuilder, input: OnnxBackboneOutput): string {
    const [, , inC, outC] = this.weight.shape;
    const oihw = tf.tidy(() => tf.transpose(tf.reshape(this.weight, [inC, outC])).dataSync() as Float32Array);
    g.addInitializer('head.weight', oihw, [outC, inC, 1, 1]);
    g.addInitializer('head.bias', this.bias.dataSync() as Float32Array, [outC]);
    return g.op('Conv', [input.features, 'head.weight', ...(this.flaw === 'onnx-without-bias' ? [] : ['head.bias'])]);
  }

  dispose(): void {
    this.weight.dispose();
    if (this.flaw !== 'keeps-bias-on-dispose') this.bias.dispose();
    this.unused?.dispose();
  }
}

/** Stride 2 by average pooling: 2 channels, no weights. */
const poolingBackbone: Backbone = {
  outputStride: 2,
  outputChannels: 2,
  apply: (x) => ({ features: tf.avgPool(x.slice([0, 0, 0, 0], [-1, -1, -1, 2]), 2, 2, 'valid') }),
  trainableVariables: () => [],
  dispose: () => undefined,
};

let input: tf.Tensor4D;
let features: BackboneOutput;
beforeAll(() => {
  input = tf.randomNormal([2, 8, 6, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
  features = poolingBackbone.apply(input, false);
});
afterAll(() => tf.dispose([input, features.features]));

function subject(flaw?: Flaw): HeadUnderTest {
  return {
    build: (seed) => new FakeHead(seed, 2, flaw),
    backbone: poolingBackbone,
    features,
    inputSize: [8, 6],
    outputChannels: 3,
    outputGrid: 'features',
    ownSeed: false,
    requireOnnx: true,
    onnxTolerance: 1e-4,
  };
}

/** A check's failure is an assertion (jest's matcherResult), not a crash of the component or the check. */
const check = (start: string) => {
  const found = HEAD_CHECKS.find((c) => c.title.startsWith(start));
  if (!found) throw new Error(`no head check starting '${start}'`);
  return found;
};

describe('the head contract', () => {
  it.each(HEAD_CHECKS.map((c) => [c.title, c]))('passes a sound head: %s', async (_title, c) => {
    await c.run(subject());
  });

  it.each([
    ['declares-other-width', 'builds with'],
    ['declares-other-width', 'outputs NHWC'],
    ['leaks', 'leaks no tensors'],
    ['keeps-bias-on-dispose', 'frees every tensor'],
    ['dead-variable', 'sends a non-zero gradient'],
    ['ignores-seed', 'is reproducible'],
    ['unstable-names', 'names its variables'],
    ['onnx-without-bias', 'exports to ONNX'],
  ] as const)('fails a head that %s in the check "%s…"', async (flaw, start) => {
    await expect(Promise.resolve().then(() => check(start).run(subject(flaw)))).rejects.toHaveProperty('matcherResult');
  });

  it('fails a head without toOnnx when export is required, and passes it when not', async () => {
    const noExport = (requireOnnx: boolean): HeadUnderTest => ({
      ...subject(),
      requireOnnx,
      build: (seed) => Object.assign(new FakeHead(seed, 2), { toOnnx: undefined }),
    });
    await expect(Promise.resolve().then(() => check('exports to ONNX').run(noExport(true)))).rejects.toHaveProperty('matcherResult');
    await check('exports to ONNX').run(noExport(false));
  });
});
