import { InferenceSession, Tensor } from 'onnxruntime-node';
import { OnnxGraphBuilder } from '../onnx/onnx-graph-builder';
import { probeShapes } from './probe-shapes';
import { valueTypes } from './value-types';

/**
 * x [B, 2, 7, 7] → Conv 3×3 stride 2 (ceil edges) → y; z = Resize(x) to y's runtime shape (which shape inference
 * leaves open when they pass through float arithmetic, so the probe runs the graph); r = z reshaped to [-1, 2] (B·4·4 rows). With `fixedBatch` the
 * reshape names the batch (a size that is not affine in it at small batches: the probe must fall back).
 */
function graph(batch: number, fixedBatch = false) {
  const g = new OnnxGraphBuilder('probe');
  g.addInput('x', [batch, 2, 7, 7]);
  g.addInitializer('w', new Float32Array(2 * 2 * 9).fill(0.1), [2, 2, 3, 3]);
  g.addNode('Conv', ['x', 'w'], ['y'], { strides: [2, 2], pads: [1, 1, 1, 1] });
  // The sizes go through float arithmetic, which shape inference does not follow.
  g.addNode('Shape', ['y'], ['ys']);
  g.addNode('Cast', ['ys'], ['ysf'], { to: 1 });
  g.addInitializer('one', Float32Array.of(1), [1]);
  g.addNode('Mul', ['ysf', 'one'], ['ysm']);
  g.addNode('Cast', ['ysm'], ['ysi'], { to: 7 });
  g.addNode('Resize', ['x', '', '', 'ysi'], ['z'], { mode: 'nearest' });
  g.addInitializer('rs', BigInt64Array.from(fixedBatch ? [BigInt(batch), -1n] : [-1n, 2n]), [2], 'int64');
  g.addNode('Reshape', ['z', 'rs'], ['r']);
  g.addNode('Relu', ['r'], ['out']);
  g.addOutput('out', null);
  return g.ir();
}

async function runShapes(batch: number, fixedBatch: boolean): Promise<Record<string, number[]>> {
  const ir = graph(batch, fixedBatch);
  const g = new OnnxGraphBuilder('run');
  for (const i of ir.inputs) g.addInput(i.name, i.dims ?? [], i.type);
  for (const i of ir.initializers) g.addInitializer(i.name, i.data, i.dims, i.type);
  for (const n of ir.nodes) g.addNode(n.opType, n.inputs, n.outputs, n.attrs, n.domain);
  for (const name of ['y', 'z', 'r', 'out']) g.addOutput(name, null);
  const session = await InferenceSession.create(g.toBytes());
  const out = await session.run({ x: new Tensor('float32', new Float32Array(batch * 2 * 49), [batch, 2, 7, 7]) });
  await session.release();
  return Object.fromEntries(['y', 'z', 'r', 'out'].map((n) => [n, [...out[n].dims]]));
}

describe('probeShapes', () => {
  it.each([
    [8, false],
    [3, false],
    [6, true],
  ])('at batch %i (batch fixed in a reshape: %s) gives the sizes the graph runs with', async (batch, fixedBatch) => {
    const ir = graph(batch, fixedBatch);
    const shapes = await probeShapes(ir, { x: [batch, 2, 7, 7] }, valueTypes(ir));
    const actual = await runShapes(batch, fixedBatch);
    for (const [name, dims] of Object.entries(actual)) expect([name, shapes.get(name)]).toEqual([name, dims]);
    expect(actual['z']).toEqual([batch, 2, 4, 4]);
  });
});
