import * as tf from '@tensorflow/tfjs';
import type { Backbone, BackboneOutput, ComponentConfig, ComponentContext, Head, Registries } from '@zls/core';
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

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * The checks every head must pass (built-ins and plugins alike): it builds from its registry with the
 * backbone's widths, declares its output width and puts NHWC output on the backbone's grid, leaks no tensors
 * and frees its own on dispose, sends a gradient to every trainable variable, is reproducible for a seed, and
 * when it offers the optional members, names its variables stably and exports to ONNX matching tfjs.
 */
export function describeHeadContract(name: string, options: HeadContractOptions): void {
  const [height, width] = options.inputSize ?? [32, 32];
  const batch = options.batch ?? 2;
  const tolerance = options.onnxTolerance ?? 1e-4;
  const grid = options.outputGrid ?? 'features';

  describe(`head contract: ${name}`, () => {
    let backbone: Backbone;
    let features: BackboneOutput;
    const context = (seed: number): ComponentContext => ({ seed, inputChannels: backbone.outputChannels, lowLevelChannels: backbone.lowLevelChannels });
    const build = (seed = 5): Head => options.registries().head.build(options.config, 'model.head', undefined, context(seed));
    const forward = (head: Head, training: boolean): tf.Tensor4D => head.apply(features, training);
    beforeAll(() => {
      backbone = options.backbone();
      const input = tf.randomNormal([batch, height, width, 3], 0, 1, 'float32', 13) as tf.Tensor4D;
      features = backbone.apply(input, false);
      input.dispose();
    });
    afterAll(() => {
      tf.dispose([features.features, features.lowLevel ?? []]);
      backbone.dispose();
    });

    it(`builds from its registry with the backbone's widths and declares ${options.outputChannels} output channels`, () => {
      const head = build();
      expect(head.outputChannels).toBe(options.outputChannels);
      head.dispose();
    });

    it(`outputs NHWC [batch, h, w, outputChannels] on the grid of the backbone's ${grid === 'features' ? 'features (input / outputStride)' : 'low-level features'}`, () => {
      const on = grid === 'features' ? features.features : features.lowLevel;
      if (!on) throw new Error(`head contract: ${name}: outputGrid 'lowLevel' needs a backbone with a low-level output`);
      if (grid === 'features') expect(on.shape.slice(1, 3)).toEqual([height / backbone.outputStride, width / backbone.outputStride]);
      const head = build();
      for (const training of [false, true]) {
        const out = forward(head, training);
        expect(out.shape).toEqual([batch, on.shape[1], on.shape[2], options.outputChannels]);
        expect(out.dtype).toBe('float32');
        out.dispose();
      }
      head.dispose();
    });

    it('leaks no tensors over repeated calls', () => {
      const head = build();
      const run = () => [true, false].forEach((training) => forward(head, training).dispose());
      run();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) run();
      expect(tf.memory().numTensors).toBe(before);
      head.dispose();
    });

    it('frees every tensor it made on dispose', () => {
      // A first head warms whatever the backend caches on first use; the second must leave nothing behind.
      const warm = build();
      forward(warm, true).dispose();
      warm.dispose();
      const before = tf.memory().numTensors;
      const head = build();
      forward(head, true).dispose();
      expect(tf.memory().numTensors).toBeGreaterThan(before);
      head.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it('sends a non-zero gradient to every trainable variable', () => {
      const head = build();
      const variables = head.trainableVariables();
      expect(variables.length).toBeGreaterThan(0);
      const { grads, value } = tf.variableGrads(() => tf.mean(tf.square(forward(head, true))) as tf.Scalar, variables);
      for (const v of variables) {
        const g = grads[v.name];
        expect(g).toBeDefined();
        expect(tf.max(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
      }
      tf.dispose([grads, value]);
      head.dispose();
    });

    it("is reproducible: the run's seed decides the output", () => {
      const heads = [build(5), build(5), build(6)];
      const [ya, yb, yc] = heads.map((h) => {
        const y = forward(h, false);
        const values = Array.from(y.dataSync());
        y.dispose();
        return values;
      });
      expect(yb).toEqual(ya);
      // A seed in the head's own options overrides the run's; otherwise another run seed gives other weights.
      if (options.config['seed'] === undefined) expect(yc).not.toEqual(ya);
      heads.forEach((h) => h.dispose());
    });

    it('names its variables stably, covering every trainable one (when it has namedVariables)', () => {
      const [a, b] = [build(), build()];
      if (a.namedVariables && b.namedVariables) {
        const named = a.namedVariables();
        expect(named.size).toBeGreaterThan(0);
        expect([...b.namedVariables().keys()]).toEqual([...named.keys()]);
        for (const key of named.keys()) expect(key).toMatch(/^[\w.]+$/);
        const values = new Set(named.values());
        for (const v of a.trainableVariables()) expect(values.has(v)).toBe(true);
        for (const [key, v] of named) expect(b.namedVariables().get(key)?.shape).toEqual(v.shape);
      }
      [a, b].forEach((h) => h.dispose());
    });

    it(`exports to ONNX matching the tfjs inference forward within ${tolerance} (when it has toOnnx)`, async () => {
      const head = build();
      if (options.requireOnnx) expect(typeof head.toOnnx).toBe('function');
      if (head.toOnnx) {
        // One training-mode pass first, so batch-norm running statistics are not their initial values.
        forward(head, true).dispose();
        const out = forward(head, false);
        const onnx = await runHeadOnnx(head as Head & Required<Pick<Head, 'toOnnx'>>, features.features, features.lowLevel);
        expect(onnx.dims).toEqual(out.shape);
        expect(maxAbsDiff(onnx.data, out.dataSync())).toBeLessThanOrEqual(tolerance);
        out.dispose();
      }
      head.dispose();
    });
  });
}
