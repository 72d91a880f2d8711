import { ZlsError } from '@zls/core';
import { OnnxGraphBuilder } from '../onnx/onnx-graph-builder';
import { OnnxInferenceSession } from './onnx-inference-session';

/** y = x · W + b per sample, with a symbolic batch axis. */
function affineModel(w: Float32Array, b: Float32Array, k: number, n: number): Uint8Array {
  const g = new OnnxGraphBuilder('affine');
  g.addInput('x', ['batch', k]).addInitializer('w', w, [k, n]).addInitializer('b', b, [n]);
  const y = g.op('Add', [g.op('MatMul', ['x', 'w']), 'b']);
  g.addOutput(y, ['batch', n]);
  return g.toBytes();
}

describe('OnnxInferenceSession', () => {
  const k = 3;
  const n = 2;
  const w = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const b = Float32Array.from([0.5, -1]);
  const expectedRow = (x: number[]) => [0, 1].map((j) => x.reduce((s, v, q) => s + v * w[q * n + j], 0) + b[j]);

  it('runs in batches and joins outputs in order, reusing one session', async () => {
    const session = await OnnxInferenceSession.create(affineModel(w, b, k, n), { threads: 2 });
    const samples = 7;
    const x = Float32Array.from({ length: samples * k }, (_, i) => (i % 5) - 2);
    const out = await session.runBatched('x', { data: x, dims: [samples, k] }, 3);
    const name = session.outputNames[0];
    expect(out[name].dims).toEqual([samples, n]);
    for (let s = 0; s < samples; s++) {
      const row = expectedRow(Array.from(x.subarray(s * k, (s + 1) * k)));
      expect(Array.from(out[name].data.subarray(s * n, (s + 1) * n))).toEqual(row.map(Math.fround));
    }
    await session.dispose();
    await expect(session.run({ x: { data: x.subarray(0, k), dims: [1, k] } })).rejects.toThrow(/after dispose/);
  });

  it('names a missing input and refuses bad options', async () => {
    const session = await OnnxInferenceSession.create(affineModel(w, b, k, n));
    await expect(session.run({})).rejects.toThrow(/missing input 'x'/);
    await expect(session.runBatched('x', { data: new Float32Array(4), dims: [2, k] }, 1)).rejects.toThrow(ZlsError);
    await session.dispose();
    await expect(OnnxInferenceSession.create(new Uint8Array([1, 2, 3]))).rejects.toThrow(/could not load/);
    await expect(OnnxInferenceSession.create(affineModel(w, b, k, n), { threads: 0 })).rejects.toThrow(/threads/);
  });
});
