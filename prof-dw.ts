import { OnnxGraphBuilder } from '@zls/backend';
import { InferenceSession, Tensor } from 'onnxruntime-node';
const [N, C, O, H] = [16, 32, 32, 33];
const P = H * H;
function i64(g: OnnxGraphBuilder, v: number[]) { const n = g.temp('c'); g.addInt64Initializer(n, v); return n; }
function slices(g: OnnxGraphBuilder) {
  const xp = g.op('Pad', ['x', i64(g, [0, 0, 1, 1, 0, 0, 1, 1])], { mode: 'constant' });
  const out: string[] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out.push(g.op('Slice', [xp, i64(g, [i, j]), i64(g, [i + H, j + H]), i64(g, [2, 3])]));
  return out;
}
const variants: Record<string, (g: OnnxGraphBuilder) => string> = {
  concatMatMul(g) {
    const s = slices(g).map((t) => g.op('Reshape', [t, i64(g, [N, C, 1, P])]));
    const patches = g.op('Reshape', [g.op('Concat', s, { axis: 2 }), i64(g, [N, C * 9, P])]);
    const dyT = g.op('Transpose', [g.op('Reshape', ['dy', i64(g, [N, O, P])])], { perm: [0, 2, 1] });
    return g.op('ReduceSum', [g.op('MatMul', [patches, dyT]), i64(g, [0])], { keepdims: 0 });
  },
  perTapMatMul(g) {
    const dyT = g.op('Transpose', [g.op('Reshape', ['dy', i64(g, [N, O, P])])], { perm: [0, 2, 1] });
    const parts = slices(g).map((t) => g.op('ReduceSum', [g.op('MatMul', [g.op('Reshape', [t, i64(g, [N, C, P])]), dyT]), i64(g, [0])], { keepdims: 1 }));
    return g.op('Concat', parts, { axis: 0 });
  },
  convTrick(g) {
    const xT = g.op('Transpose', ['x'], { perm: [1, 0, 2, 3] });
    const dyT = g.op('Transpose', ['dy'], { perm: [1, 0, 2, 3] });
    return g.op('Conv', [xT, dyT], { kernel_shape: [H, H], pads: [1, 1, 1, 1] });
  },
};
(async () => {
  const x = new Tensor('float32', Float32Array.from({ length: N * C * P }, Math.random), [N, C, H, H]);
  const dy = new Tensor('float32', Float32Array.from({ length: N * O * P }, Math.random), [N, O, H, H]);
  for (const [name, build] of Object.entries(variants)) {
    const g = new OnnxGraphBuilder(name);
    g.addInput('x', [N, C, H, H]).addInput('dy', [N, O, H, H]);
    const y = build(g);
    g.addOutput(y, null);
    const s = await InferenceSession.create(g.toBytes(), { intraOpNumThreads: 2, graphOptimizationLevel: 'all' });
    const ts: number[] = [];
    for (let i = 0; i < 8; i++) { const t = performance.now(); await s.run({ x, dy }); ts.push(performance.now() - t); }
    console.log(name, ts.map((t) => t.toFixed(1)).sort((a, b) => +a - +b).slice(0, 4).join(' '));
  }
})();
