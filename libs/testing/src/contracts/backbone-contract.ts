import * as tf from '@tensorflow/tfjs';
import type { Backbone } from '@zls/core';
import { canExportOnnx, exportedVariables, runBackboneOnnx } from './backbone-onnx-export';

export interface BackboneContractOptions {
  /** Builds a fresh backbone for each check. */
  build: () => Backbone;
  /** Input height and width; both must be multiples of the output stride. */
  inputSize?: [number, number];
  batch?: number;
  /** A frozen trunk (e.g. the `onnx` backbone) declares no trainable variables; the gradient check expects none. */
  frozen?: boolean;
  /**
   * Feature height/width for an input size, when it is not exactly input / outputStride (DeepLab-v2's Caffe
   * stem pools in ceil mode: 321 → 41 at stride 8).
   */
  featureSize?: (height: number, width: number) => [number, number];
  /** Largest allowed |ONNX − tfjs| on the features (default 1e-4). */
  onnxTolerance?: number;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * The checks every backbone must pass (built-ins and plugins alike): declared stride and width, no tensor
 * leaks over repeated calls, a gradient that reaches every trainable variable, and an ONNX export whose
 * outputs match the tfjs inference forward.
 */
export function describeBackboneContract(name: string, options: BackboneContractOptions): void {
  const [height, width] = options.inputSize ?? [32, 32];
  const batch = options.batch ?? 2;
  const tolerance = options.onnxTolerance ?? 1e-4;

  describe(`backbone contract: ${name}`, () => {
    let backbone: Backbone;
    let input: tf.Tensor4D;
    beforeEach(() => {
      backbone = options.build();
      input = tf.randomNormal([batch, height, width, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
    });
    afterEach(() => {
      input.dispose();
      backbone.dispose();
    });

    it('outputs features at the declared stride and channel count', () => {
      const out = backbone.apply(input, false);
      const [fh, fw] = options.featureSize ? options.featureSize(height, width) : [height / backbone.outputStride, width / backbone.outputStride];
      expect(out.features.shape).toEqual([batch, fh, fw, backbone.outputChannels]);
      if (out.lowLevel) expect(out.lowLevel.shape[3]).toBe(backbone.lowLevelChannels);
      tf.dispose([out.features, out.lowLevel ?? []]);
    });

    it('leaks no tensors over repeated calls', () => {
      const run = () => {
        const out = backbone.apply(input, true);
        tf.dispose([out.features, out.lowLevel ?? []]);
      };
      run();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) run();
      expect(tf.memory().numTensors).toBe(before);
    });

    if (options.frozen) {
      it('is frozen: declares no trainable variables', () => {
        expect(backbone.trainableVariables()).toHaveLength(0);
      });
    } else {
      it('sends a non-zero gradient to every trainable variable', () => {
        const variables = backbone.trainableVariables();
        expect(variables.length).toBeGreaterThan(0);
        const { grads, value } = tf.variableGrads(() => {
          const out = backbone.apply(input, true);
          const loss = tf.mean(tf.square(out.features));
          return (out.lowLevel ? tf.add(loss, tf.mean(tf.square(out.lowLevel))) : loss) as tf.Scalar;
        }, variables);
        for (const v of variables) {
          const g = grads[v.name];
          expect(g).toBeDefined();
          expect(tf.max(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
        }
        tf.dispose([grads, value]);
      });
    }

    it(`exports to ONNX matching the tfjs inference forward within ${tolerance}`, async () => {
      expect(canExportOnnx(backbone)).toBe(true);
      if (!canExportOnnx(backbone)) return;
      // One training-mode pass first, so batch-norm running statistics are not their initial values.
      const warm = backbone.apply(input, true);
      tf.dispose([warm.features, warm.lowLevel ?? []]);
      const out = backbone.apply(input, false);
      const onnx = await runBackboneOnnx(backbone, input, out.lowLevel !== undefined);
      expect(onnx['features'].dims).toEqual(out.features.shape);
      expect(maxAbsDiff(onnx['features'].data, out.features.dataSync())).toBeLessThanOrEqual(tolerance);
      if (out.lowLevel) expect(maxAbsDiff(onnx['lowLevel'].data, out.lowLevel.dataSync())).toBeLessThanOrEqual(tolerance);
      tf.dispose([out.features, out.lowLevel ?? []]);
    });

    it('names each trainable variable as the origin of an ONNX initializer, so the training graph trains it', () => {
      if (!canExportOnnx(backbone)) return;
      const traced = exportedVariables(backbone, input.shape);
      for (const v of backbone.trainableVariables()) expect({ variable: v.name, exported: traced.has(v) }).toEqual({ variable: v.name, exported: true });
    });
  });
}
