import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from 'onnxruntime-node';
import { OnnxGraphBuilder } from '../onnx/onnx-graph-builder';
import { createNativeSession, installedOnnxruntimeVersion, loadOrtBinding, PINNED_ONNXRUNTIME_VERSION, singleOpSessionOptions } from './ort-binding';

// The synchronous route uses onnxruntime-node internals; these tests fail loudly when an upgrade changes them.
describe('onnxruntime-node synchronous binding', () => {
  it('is the pinned version, pinned exactly in the root package.json', () => {
    expect(installedOnnxruntimeVersion()).toBe(PINNED_ONNXRUNTIME_VERSION);
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../../package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['onnxruntime-node']).toBe(PINNED_ONNXRUNTIME_VERSION);
  });

  it('exposes binding.InferenceSession and initOrt', () => {
    const mod = loadOrtBinding();
    expect(typeof mod.binding.InferenceSession).toBe('function');
    expect(typeof mod.initOrt).toBe('function');
  });

  it('runs synchronously and writes into a pre-allocated output view at an offset', () => {
    const g = new OnnxGraphBuilder('sync-test');
    g.addInput('a', [2, 3]).addInput('b', [3, 2]);
    const y = g.op('MatMul', ['a', 'b']);
    g.addOutput(y, [2, 2]);
    const session = createNativeSession(g.toBytes(), singleOpSessionOptions());
    // One buffer holds both inputs and the output, as the wasm heap does.
    const heap = new Float32Array(32);
    const a = heap.subarray(1, 7);
    a.set([1, 2, 3, 4, 5, 6]);
    const b = heap.subarray(9, 15);
    b.set([1, 0, 0, 1, 1, 1]);
    const out = heap.subarray(20, 24);
    const result = session.run({ a: new Tensor('float32', a, [2, 3]), b: new Tensor('float32', b, [3, 2]) }, { [y]: new Tensor('float32', out, [2, 2]) }, {});
    expect(result).not.toBeInstanceOf(Promise);
    // [[1,2,3],[4,5,6]] · [[1,0],[0,1],[1,1]] = [[4,5],[10,11]]
    expect(Array.from(out)).toEqual([4, 5, 10, 11]);
    expect(heap[19]).toBe(0);
    expect(heap[24]).toBe(0);
    session.dispose();
  });
});
