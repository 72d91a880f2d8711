import { frozenGraphSessionOptions, singleOpSessionOptions, VARIABLE_SHAPE_MEMORY } from './ort-binding';
import { runCompiledOp, SingleOpSessionCache } from './single-op-session-cache';

const MB = 1024 * 1024;

/** Relu(a · b) for a [m, k], b [k, n]: the product is an intermediate, held by the session's allocator. */
function matmulRelu(cache: SingleOpSessionCache, m: number, k: number, n: number) {
  return cache.get(`matmul-relu|${m}|${k}|${n}`, (g) => {
    g.addInput('a', [m, k]).addInput('b', [k, n]);
    const y = g.op('Relu', [g.op('MatMul', ['a', 'b'])]);
    g.addOutput(y, [m, n]);
    return { inputs: ['a', 'b'], output: y };
  });
}

describe('SingleOpSessionCache', () => {
  it('evicts the least recently used session and releases it', () => {
    const cache = new SingleOpSessionCache(2);
    const run = (op: ReturnType<typeof matmulRelu>, m: number) =>
      runCompiledOp(op, [{ data: new Float32Array(m * 2).fill(1), dims: [m, 2] }, { data: new Float32Array(6).fill(1), dims: [2, 3] }], [{ data: new Float32Array(m * 3), dims: [m, 3] }]);
    const a = matmulRelu(cache, 1, 2, 3);
    const b = matmulRelu(cache, 2, 2, 3);
    expect(matmulRelu(cache, 1, 2, 3)).toBe(a); // a is now the most recently used
    matmulRelu(cache, 3, 2, 3);
    expect(cache.size).toBe(2);
    expect(matmulRelu(cache, 1, 2, 3)).toBe(a);
    expect(() => run(a, 1)).not.toThrow();
    expect(() => run(b, 2)).toThrow(); // released on eviction
    cache.clear();
    expect(cache.size).toBe(0);
    expect(() => run(a, 1)).toThrow();
  });

  it('builds sessions without a memory arena or memory patterns, so none keeps its peak after a run', () => {
    expect(VARIABLE_SHAPE_MEMORY).toEqual({ enableCpuMemArena: false, enableMemPattern: false });
    expect(singleOpSessionOptions()).toMatchObject(VARIABLE_SHAPE_MEMORY);
    expect(frozenGraphSessionOptions(2)).toMatchObject({ ...VARIABLE_SHAPE_MEMORY, intraOpNumThreads: 2 });

    // 24 shapes, each with a 16–17 MB intermediate: with onnxruntime's default CPU arena every session kept its
    // peak and resident memory grew by about 430 MB here; without it, by about 35 MB, and up to 131 MB on a
    // loaded machine (the allocator returns pages late), so the bound sits between the two regimes.
    const cache = new SingleOpSessionCache();
    const [k, n, rows] = [4, 2048, 2048];
    const a = new Float32Array((rows + 24) * k).fill(0.5);
    const b = new Float32Array(k * n).fill(0.25);
    const out = new Float32Array((rows + 24) * n);
    const run = (m: number) => runCompiledOp(matmulRelu(cache, m, k, n), [{ data: a.subarray(0, m * k), dims: [m, k] }, { data: b, dims: [k, n] }], [{ data: out.subarray(0, m * n), dims: [m, n] }]);
    run(rows); // the binding and allocator warm up once
    const before = process.memoryUsage().rss;
    for (let i = 1; i <= 24; i++) run(rows + i);
    const grown = (process.memoryUsage().rss - before) / MB;
    expect(out[0]).toBeCloseTo(0.5);
    expect(cache.size).toBe(25);
    expect(grown).toBeLessThan(256);
    cache.clear();
  });
});
