import * as tf from '@tensorflow/tfjs';
import type { Backbone, BackboneOutput, ComponentConfig, ComponentContext, Head, Registries } from '@zls/core';
import type { ContractCheck } from './contract-check';
import { runHeadOnnx } from './head-onnx-export';

export interface HeadContractOptions {
  /** Registries in which the head's library or plugin has registered its components. */
  registries: () => Registries;
  /** The head as a config file writes it: its registered `type` and its options. */
  config: ComponentConfig;
  /** The outputChannels the options ask for (e.g. their embeddingDim). */
  outputChannels: number;
  /** Builds the backbone whose outputs the head reads (its widths reach the head as TOKENS.RunContext). */
  backbone: () => Backbone;
  /** The backbone output whose grid the head's output is on: 'features' (default) or 'lowLevel' (decoders). */
  outputGrid?: 'features' | 'lowLevel';
  /** Input height and width; both must be multiples of the backbone's output stride. */
  inputSize?: [number, number];
  batch?: number;
  /** Fail when the head has no toOnnx (built-ins must export; a plugin head may train through tfjs only). */
  requireOnnx?: boolean;
  /** Largest allowed |ONNX − tfjs| on the output (default 1e-4). */
  onnxTolerance?: number;
}

/** What the checks run on: a way to build the head for a run seed, and the backbone outputs it reads. */
export interface HeadUnderTest {
  build(seed: number): Head;
  backbone: Backbone;
  features: BackboneOutput;
  inputSize: [number, number];
  outputChannels: number;
  outputGrid: 'features' | 'lowLevel';
  /** The config fixes the head's seed, so a different run seed need not change its weights. */
  ownSeed: boolean;
  requireOnnx: boolean;
  onnxTolerance: number;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function values(head: Head, features: BackboneOutput): number[] {
  const y = head.apply(features, false);
  const out = Array.from(y.dataSync());
  y.dispose();
  return out;
}

/** The checks of the head contract, one per property, each building and disposing its own heads. */
export const HEAD_CHECKS: readonly ContractCheck<HeadUnderTest>[] = [
  {
    title: "builds with the backbone's widths and declares the configured output channels",
    run: (t) => {
      const head = t.build(5);
      expect(head.outputChannels).toBe(t.outputChannels);
      head.dispose();
    },
  },
  {
    title: 'outputs NHWC [batch, h, w, outputChannels] on the grid of the backbone output it reads',
    run: (t) => {
      const on = t.outputGrid === 'features' ? t.features.features : t.features.lowLevel;
      if (!on) throw new Error("head contract: outputGrid 'lowLevel' needs a backbone with a low-level output");
      const [height, width] = t.inputSize;
      if (t.outputGrid === 'features') expect(on.shape.slice(1, 3)).toEqual([height / t.backbone.outputStride, width / t.backbone.outputStride]);
      const head = t.build(5);
      for (const training of [false, true]) {
        const out = head.apply(t.features, training);
        expect(out.shape).toEqual([on.shape[0], on.shape[1], on.shape[2], t.outputChannels]);
        expect(out.shape[3]).toBe(head.outputChannels);
        expect(out.dtype).toBe('float32');
        out.dispose();
      }
      head.dispose();
    },
  },
  {
    title: 'leaks no tensors over repeated calls',
    run: (t) => {
      const head = t.build(5);
      const run = () => [true, false].forEach((training) => head.apply(t.features, training).dispose());
      run();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) run();
      expect(tf.memory().numTensors).toBe(before);
      head.dispose();
    },
  },
  {
    title: 'frees every tensor it made on dispose',
    run: (t) => {
      // A first head warms whatever the backend caches on first use; the second must leave nothing behind.
      const warm = t.build(5);
      warm.apply(t.features, true).dispose();
      warm.dispose();
      const before = tf.memory().numTensors;
      const head = t.build(5);
      head.apply(t.features, true).dispose();
      expect(tf.memory().numTensors).toBeGreaterThan(before);
      head.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  },
  {
    title: 'sends a non-zero gradient to every trainable variable',
    run: (t) => {
      const head = t.build(5);
      const variables = head.trainableVariables();
      expect(variables.length).toBeGreaterThan(0);
      const { grads, value } = tf.variableGrads(() => tf.mean(tf.square(head.apply(t.features, true))) as tf.Scalar, variables);
      const reached = variables.map((v) => ({ variable: v.name, reached: grads[v.name] !== undefined && tf.max(tf.abs(grads[v.name])).dataSync()[0] > 0 }));
      tf.dispose([grads, value]);
      head.dispose();
      expect(reached).toEqual(variables.map((v) => ({ variable: v.name, reached: true })));
    },
  },
  {
    title: "is reproducible: the run's seed decides the output",
    run: (t) => {
      const heads = [t.build(5), t.build(5), t.build(6)];
      const [a, b, c] = heads.map((h) => values(h, t.features));
      heads.forEach((h) => h.dispose());
      expect(b).toEqual(a);
      // A seed in the head's own options overrides the run's; otherwise another run seed gives other weights.
      if (!t.ownSeed) expect(c).not.toEqual(a);
    },
  },
  {
    title: 'names its variables stably, covering every trainable one (when it has namedVariables)',
    run: (t) => {
      const [a, b] = [t.build(5), t.build(5)];
      try {
        if (!a.namedVariables || !b.namedVariables) return;
        const named = a.namedVariables();
        const again = b.namedVariables();
        expect(named.size).toBeGreaterThan(0);
        expect([...again.keys()]).toEqual([...named.keys()]);
        for (const key of named.keys()) expect(key).toMatch(/^[\w.]+$/);
        for (const [key, v] of named) expect({ key, shape: again.get(key)?.shape }).toEqual({ key, shape: v.shape });
        const all = new Set(named.values());
        expect(a.trainableVariables().filter((v) => !all.has(v)).map((v) => v.name)).toEqual([]);
      } finally {
        [a, b].forEach((h) => h.dispose());
      }
    },
  },
  {
    title: 'exports to ONNX matching the tfjs inference forward (when it has toOnnx)',
    run: async (t) => {
      const head = t.build(5);
      try {
        if (t.requireOnnx) expect(typeof head.toOnnx).toBe('function');
        if (!head.toOnnx) return;
        // One training-mode pass first, so batch-norm running statistics are not their initial values.
        head.apply(t.features, true).dispose();
        const out = head.apply(t.features, false);
        const onnx = await runHeadOnnx(head as Head & Required<Pick<Head, 'toOnnx'>>, t.features.features, t.features.lowLevel);
        const tfjs = out.dataSync();
        out.dispose();
        expect(onnx.dims).toEqual(out.shape);
        expect(maxAbsDiff(onnx.data, tfjs)).toBeLessThanOrEqual(t.onnxTolerance);
      } finally {
        head.dispose();
      }
    },
  },
];

/**
 * The checks every head must pass (built-ins and plugins alike): it builds from its registry with the
 * backbone's widths, declares its output width and puts NHWC output on the backbone's grid, leaks no tensors
 * and frees its own on dispose, sends a gradient to every trainable variable, is reproducible for a seed, and
 * when it offers the optional members, names its variables stably and exports to ONNX matching tfjs.
 */
export function describeHeadContract(name: string, options: HeadContractOptions): void {
  const [height, width] = options.inputSize ?? [32, 32];
  const batch = options.batch ?? 2;

  describe(`head contract: ${name}`, () => {
    let subject: HeadUnderTest;
    beforeAll(() => {
      const backbone = options.backbone();
      const input = tf.randomNormal([batch, height, width, 3], 0, 1, 'float32', 13) as tf.Tensor4D;
      const features = backbone.apply(input, false);
      input.dispose();
      const context = (seed: number): ComponentContext => ({ seed, inputChannels: backbone.outputChannels, lowLevelChannels: backbone.lowLevelChannels });
      subject = {
        build: (seed) => options.registries().head.build(options.config, 'model.head', undefined, context(seed)),
        backbone,
        features,
        inputSize: [height, width],
        outputChannels: options.outputChannels,
        outputGrid: options.outputGrid ?? 'features',
        ownSeed: options.config['seed'] !== undefined,
        requireOnnx: options.requireOnnx ?? false,
        onnxTolerance: options.onnxTolerance ?? 1e-4,
      };
    });
    afterAll(() => {
      tf.dispose([subject.features.features, subject.features.lowLevel ?? []]);
      subject.backbone.dispose();
    });

    for (const check of HEAD_CHECKS) it(check.title, async () => check.run(subject));
  });
}
