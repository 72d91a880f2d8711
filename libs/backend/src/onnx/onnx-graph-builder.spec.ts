import * as tf from '@tensorflow/tfjs';
import { SeededRng, ZlsError } from '@zls/core';
import { randomNaive, toTf } from '../testing/naive-helpers';
import { OnnxInferenceSession } from '../ort/onnx-inference-session';
import { OnnxGraphBuilder } from './onnx-graph-builder';
import { ProtoWriter } from './protobuf-writer';

describe('ProtoWriter', () => {
  it('encodes varints, negative int64 as ten bytes, and length-delimited fields', () => {
    expect(Array.from(new ProtoWriter().int(1, 300).finish())).toEqual([0x08, 0xac, 0x02]);
    const neg = new ProtoWriter().int(2, -1).finish();
    expect(Array.from(neg)).toEqual([0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(Array.from(new ProtoWriter().string(3, 'ab').finish())).toEqual([0x1a, 0x02, 0x61, 0x62]);
  });
});

describe('OnnxGraphBuilder', () => {
  it('rejects duplicate names, undeclared outputs and mis-sized initializers', () => {
    const g = new OnnxGraphBuilder('bad');
    g.addInput('x', [1]);
    expect(() => g.addInput('x', [1])).toThrow(ZlsError);
    expect(() => g.addOutput('nowhere', [1])).toThrow(/not produced/);
    expect(() => g.addInitializer('w', new Float32Array(3), [2, 2])).toThrow(/do not fill/);
    expect(() => new OnnxGraphBuilder('empty').toBytes()).toThrow(/no outputs/);
  });

  it('keeps one initializer for a parameter written again from the same variable (shared weights)', () => {
    const g = new OnnxGraphBuilder('shared');
    const variable = {};
    const w = Float32Array.of(1, 2);
    g.addInitializer('w', w, [2], 'float', { variable, layout: 'same' });
    g.addInitializer('w', w, [2], 'float', { variable, layout: 'same' });
    expect(g.ir().initializers.map((i) => i.name)).toEqual(['w']);
    expect(() => g.addInitializer('w', w, [2], 'float', { variable: {}, layout: 'same' })).toThrow(/defined twice/);
    expect(() => g.addInitializer('w', w, [1, 2], 'float', { variable, layout: 'same' })).toThrow(/defined twice/);
    expect(() => g.addInitializer('w', w, [2])).toThrow(/defined twice/);
  });

  it('builds conv + relu + half-pixel resize that onnxruntime runs like tfjs', async () => {
    await tf.setBackend('cpu');
    const rng = new SeededRng(3);
    const x = randomNaive(rng, [2, 7, 6, 3]);
    const w = randomNaive(rng, [3, 3, 3, 4]); // HWIO, as tfjs holds it
    const bias = Float32Array.from([0.1, -0.2, 0.3, 0]);
    // ONNX Conv wants OIHW weights: write them in that order as an initializer.
    const oihw = new Float32Array(4 * 3 * 3 * 3);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let ci = 0; ci < 3; ci++) for (let co = 0; co < 4; co++) {
      oihw[((co * 3 + ci) * 3 + i) * 3 + j] = w.data[((i * 3 + j) * 3 + ci) * 4 + co];
    }
    const g = new OnnxGraphBuilder('conv-relu-resize');
    g.addInput('image', ['batch', 7, 6, 3]);
    g.addInitializer('weight', oihw, [4, 3, 3, 3]);
    g.addInitializer('bias', bias, [4]);
    g.addInt64Initializer('size', [2, 14, 15, 4]);
    const nchw = g.op('Transpose', ['image'], { perm: [0, 3, 1, 2] });
    const conv = g.op('Conv', [nchw, 'weight', 'bias'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] });
    const relu = g.op('Relu', [conv]);
    const nhwc = g.op('Transpose', [relu], { perm: [0, 2, 3, 1] });
    g.addNode('Resize', [nhwc, '', '', 'size'], ['scores'], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' });
    g.addOutput('scores', ['batch', 14, 15, 4]);

    const session = await OnnxInferenceSession.create(g.toBytes(), { threads: 2 });
    const ort = await session.run({ image: { data: Float32Array.from(x.data), dims: x.shape } });
    await session.dispose();
    const expected = tf.tidy(() => {
      const y = tf.relu(tf.add(tf.conv2d(toTf(x) as tf.Tensor4D, toTf(w) as tf.Tensor4D, 1, 'same'), tf.tensor1d(bias)));
      return tf.image.resizeBilinear(y as tf.Tensor4D, [14, 15], false, true);
    });
    expect(ort['scores'].dims).toEqual([2, 14, 15, 4]);
    const e = expected.dataSync();
    let worst = 0;
    ort['scores'].data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - e[i]))));
    expect(worst).toBeLessThan(1e-5);
    expected.dispose();
  });
});
