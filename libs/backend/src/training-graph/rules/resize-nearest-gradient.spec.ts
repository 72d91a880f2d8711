import { SeededRng } from '@zls/core';
import { OnnxGraphBuilder } from '../../onnx/onnx-graph-builder';
import { OnnxInferenceSession } from '../../ort/onnx-inference-session';
import { checkGradients } from '../../testing/gradient-check';
import { nearestResizeMatrix } from './nearest-resize-matrix';

type Case = [transform: string, mode: string, inSize: number, outSize: number];
const CASES: Case[] = [
  ['half_pixel', 'round_prefer_floor', 5, 13],
  ['half_pixel', 'round_prefer_floor', 13, 5],
  ['asymmetric', 'floor', 5, 12],
  ['align_corners', 'round_prefer_ceil', 6, 17],
  ['pytorch_half_pixel', 'ceil', 7, 3],
  ['tf_half_pixel_for_nn', 'round_prefer_floor', 4, 10],
];

/** One nearest Resize of a [1, 1, n, 1] column to [1, 1, out, 1]. */
function resizeGraph(inSize: number, outSize: number, transform: string, mode: string, asParam: boolean) {
  const g = new OnnxGraphBuilder('nearest');
  const rng = new SeededRng(5);
  if (asParam) {
    g.addInput('unused', [1]);
    g.addInitializer('x', Float32Array.from({ length: inSize * 3 }, () => rng.uniform(-1, 1)), [1, 1, inSize, 3]);
  } else g.addInput('x', [1, 1, inSize, 1]);
  g.addInt64Initializer('sizes', [1, 1, outSize, asParam ? 3 : 1]);
  const y = g.op('Resize', ['x', '', '', 'sizes'], { mode: 'nearest', coordinate_transformation_mode: transform, nearest_mode: mode });
  g.addOutput(y, null);
  return { g, y };
}

describe('nearest Resize gradient', () => {
  it.each(CASES)('the selection matrix picks the pixels onnxruntime copies (%s, %s, %i → %i)', async (transform, mode, inSize, outSize) => {
    const { g, y } = resizeGraph(inSize, outSize, transform, mode, false);
    const session = await OnnxInferenceSession.create(g.toBytes(), { threads: 1 });
    const x = Float32Array.from({ length: inSize }, (_, i) => i);
    const out = (await session.run({ x: { data: x, dims: [1, 1, inSize, 1] } }))[y].data;
    await session.dispose();
    const m = nearestResizeMatrix(inSize, outSize, transform, mode);
    const picked = Array.from({ length: outSize }, (_, o) => m.subarray(o * inSize, (o + 1) * inSize).indexOf(1));
    expect(picked).toEqual(Array.from(out));
  });

  it.each(CASES.slice(0, 4))('dx matches central differences (%s, %s, %i → %i)', async (transform, mode, inSize, outSize) => {
    const { g, y } = resizeGraph(inSize, outSize, transform, mode, true);
    const result = await checkGradients(g.ir(), y, ['x'], { epsilon: 1e-2 });
    expect(result.worst).toBeLessThan(2e-3);
  });

  it('refuses a coordinate mode it does not know, by name', () => {
    expect(() => nearestResizeMatrix(3, 5, 'tf_crop_and_resize', 'floor')).toThrow(/tf_crop_and_resize/);
  });
});
