import * as tf from '@tensorflow/tfjs';
import { Registries } from '@zls/core';
import { OnnxInferenceSession, selectBackend } from '@zls/backend';
import { registerModelComponents } from '../register-model-components';
import { buildSegmentationModel, type SegmentationModelConfig } from './build-segmentation-model';
import { maskedCrossEntropy } from './losses';
import { randomClasses } from '../testing/class-embeddings';
import { maxAbsDiff } from '../testing/naive';

// The backend the main job trains on: tfjs wasm with the heavy kernels in onnxruntime.
beforeAll(async () => {
  await selectBackend('wasm-ort');
});

function registries(): Registries {
  const r = new Registries();
  registerModelComponents(r);
  return r;
}

const spnetSmall = (width: number, dim: number): SegmentationModelConfig => ({
  backbone: { type: 'synthetic-net', width },
  head: { type: 'aspp-lite-projection', embeddingDim: dim },
});

describe('SPNet-style synthetic model', () => {
  it('has about 0.24 M parameters at width 32 with a 300-d embedding (synthetic-benchmark.md §3)', () => {
    const model = buildSegmentationModel(registries(), spnetSmall(32, 300), randomClasses(21, 300));
    const count = model.trainable().reduce((s, t) => s + t.variable.size, 0);
    expect(count).toBeGreaterThan(235_000);
    expect(count).toBeLessThan(245_000);
    model.dispose();
  });

  it('scores the requested classes at input resolution, equal to the matching columns of all scores', () => {
    const model = buildSegmentationModel(registries(), spnetSmall(4, 8), randomClasses(5, 8));
    const x = tf.randomNormal([2, 16, 12, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const all = model.forward(x, false);
    const some = model.forward(x, false, [4, 1]);
    expect(all.shape).toEqual([2, 16, 12, 5]);
    expect(some.shape).toEqual([2, 16, 12, 2]);
    expect(maxAbsDiff(some.dataSync(), tf.gather(all, [4, 1], 3).dataSync())).toBeLessThan(1e-6);
    expect(() => model.forward(x, false, [5])).toThrow(/class index 5 outside 0..4/);
    tf.dispose([x, all, some]);
    model.dispose();
  });

  it('exports to ONNX matching the tfjs inference forward within 1e-4', async () => {
    const model = buildSegmentationModel(registries(), spnetSmall(4, 8), randomClasses(5, 8));
    const x = tf.randomNormal([2, 20, 16, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    model.forward(x, true).dispose(); // running statistics move away from their initial values
    const expected = model.forward(x, false, [0, 2, 3]);
    const bytes = model.toOnnx({ classes: [0, 2, 3] });
    const session = await OnnxInferenceSession.create(bytes, { threads: 1 });
    const out = await session.run({ images: { data: x.dataSync() as Float32Array, dims: [...x.shape] } });
    await session.dispose();
    expect(out['scores'].dims).toEqual([2, 20, 16, 3]);
    expect(maxAbsDiff(out['scores'].data, expected.dataSync())).toBeLessThan(1e-4);
    tf.dispose([x, expected]);
    model.dispose();
  });

  it.each(['half-pixel', 'align-corners'] as const)(
    'upsamples %s scores channels-last in the inference graph with the values of the NCHW upsampling the training graph keeps',
    async (upsampling) => {
      const model = buildSegmentationModel(registries(), { ...spnetSmall(4, 8), upsampling }, randomClasses(5, 8));
      const x = tf.randomNormal([2, 21, 17, 3], 0, 1, 'float32', 6) as tf.Tensor4D;
      const expected = model.forward(x, false);
      const feed = { images: { data: x.dataSync() as Float32Array, dims: [...x.shape] } };
      const scoresOf = async (bytes: Uint8Array) => {
        const session = await OnnxInferenceSession.create(bytes, { threads: 1 });
        const out = await session.run(feed);
        await session.dispose();
        return out['scores'];
      };
      const graph = model.onnxGraph();
      const nchw = model.onnxGraph({ nchwUpsampling: true });
      const opsOf = (g: typeof graph) => g.ir().nodes.map((n) => n.opType);
      // The last node: a channels-last Resize of the transposed low-resolution scores, or a Transpose after an NCHW Resize.
      expect(opsOf(graph)[opsOf(graph).length - 1]).toBe('Resize');
      expect(opsOf(nchw)[opsOf(nchw).length - 1]).toBe('Transpose');
      const [fast, reference] = [await scoresOf(model.toOnnx()), await scoresOf(model.toOnnx({ nchwUpsampling: true }))];
      expect(fast.dims).toEqual([2, 21, 17, 5]);
      expect(maxAbsDiff(fast.data, reference.data)).toBeLessThan(1e-6);
      expect(maxAbsDiff(fast.data, expected.dataSync())).toBeLessThan(1e-4);
      tf.dispose([x, expected]);
      model.dispose();
    },
  );

  it('leaks no tensors over forwards and training steps (the unused low-level output included)', () => {
    const model = buildSegmentationModel(registries(), spnetSmall(3, 4), randomClasses(3, 4));
    const x = tf.randomNormal([1, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = tf.zeros([1, 8, 8], 'int32') as tf.Tensor3D;
    const opt = tf.train.adam(0.01);
    const round = () => {
      model.forward(x, false).dispose();
      opt.minimize(() => maskedCrossEntropy(model.forward(x, true, [0, 1]), y), false, model.trainable().map((t) => t.variable));
    };
    round();
    const before = tf.memory().numTensors;
    round();
    round();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  });

  it('refuses a head whose embedding size differs from the class embeddings', () => {
    expect(() => buildSegmentationModel(registries(), spnetSmall(4, 8), randomClasses(5, 6))).toThrow(/8-d pixel features but the class embeddings are 6-d/);
  });

  it('reduces the seen-class cross-entropy over a few Adam steps on a fixed batch', () => {
    const model = buildSegmentationModel(registries(), spnetSmall(4, 8), randomClasses(5, 8));
    const x = tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 8) as tf.Tensor4D;
    // Seen classes 0..2; the label is a function of the image so it can be learnt; some pixels ignored.
    const labels = tf.tidy(() => {
      const m = tf.mean(x, 3);
      const l = tf.where(tf.greater(m, 0.5), tf.fill(m.shape, 2), tf.where(tf.less(m, -0.5), tf.fill(m.shape, 0), tf.fill(m.shape, 1)));
      return tf.where(tf.greater(tf.abs(m), 1.5), tf.fill(m.shape, 255), l).toInt() as tf.Tensor3D;
    });
    const seen = [0, 1, 2];
    const opt = tf.train.adam(0.01);
    const vars = model.trainable().map((t) => t.variable);
    const losses: number[] = [];
    for (let step = 0; step < 8; step++) {
      const loss = opt.minimize(() => maskedCrossEntropy(model.forward(x, true, seen), labels), true, vars) as tf.Scalar;
      losses.push(loss.dataSync()[0]);
      loss.dispose();
    }
    expect(losses[7]).toBeLessThan(losses[0] * 0.8);
    tf.dispose([x, labels]);
    opt.dispose();
    model.dispose();
  });
});

describe('maskedCrossEntropy', () => {
  it('equals a float64 weighted mean over non-ignored pixels', () => {
    const scores = [1, 2, 0.5, -1, 0, 3, 2, 2, 2, 0.1, 0.2, 0.3];
    const targets = [2, 255, 0, 1];
    const weights = [1, 100, 1];
    let num = 0;
    let den = 0;
    targets.forEach((t, p) => {
      if (t === 255) return;
      const row = scores.slice(p * 3, p * 3 + 3);
      const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
      num += weights[t] * (lse - row[t]);
      den += weights[t];
    });
    const loss = maskedCrossEntropy(tf.tensor4d(scores, [1, 2, 2, 3]), tf.tensor3d(targets, [1, 2, 2], 'int32'), 255, weights);
    expect(loss.dataSync()[0]).toBeCloseTo(num / den, 5);
  });
});
