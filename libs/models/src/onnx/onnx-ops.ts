import type { OnnxGraphBuilder } from '@zls/backend';

/** ONNX emitters for the parameter-free operations; values are NCHW. */
export const onnxOps = {
  relu: (g: OnnxGraphBuilder, x: string): string => g.op('Relu', [x]),
  leakyRelu: (g: OnnxGraphBuilder, x: string, alpha: number): string => g.op('LeakyRelu', [x], { alpha: { float: alpha } }),
  add: (g: OnnxGraphBuilder, a: string, b: string): string => g.op('Add', [a, b]),
  sum: (g: OnnxGraphBuilder, xs: string[]): string => (xs.length === 1 ? xs[0] : g.op('Sum', xs)),
  concatChannels: (g: OnnxGraphBuilder, xs: string[]): string => g.op('Concat', xs, { axis: 1 }),
  globalAvgPool: (g: OnnxGraphBuilder, x: string): string => g.op('GlobalAveragePool', [x]),
  nhwcToNchw: (g: OnnxGraphBuilder, x: string): string => g.op('Transpose', [x], { perm: [0, 3, 1, 2] }),
  nchwToNhwc: (g: OnnxGraphBuilder, x: string): string => g.op('Transpose', [x], { perm: [0, 2, 3, 1] }),

  /** Bilinear resize with half-pixel centres of `x` to the spatial size of `like` (both NCHW, sizes read at run time). */
  resizeLike(g: OnnxGraphBuilder, x: string, like: string, alignCorners = false): string {
    const starts02 = constInt64(g, 'c_0', [0]);
    const ends02 = constInt64(g, 'c_2', [2]);
    const ends04 = constInt64(g, 'c_4', [4]);
    const nc = g.op('Slice', [g.op('Shape', [x]), starts02, ends02]);
    const hw = g.op('Slice', [g.op('Shape', [like]), ends02, ends04]);
    const sizes = g.op('Concat', [nc, hw], { axis: 0 });
    return g.op('Resize', [x, '', '', sizes], { mode: 'linear', coordinate_transformation_mode: alignCorners ? 'align_corners' : 'half_pixel' });
  },

  /**
   * Bilinear resize of NHWC `x` on its spatial axes to those of NHWC `like` (sizes read at run time), written to
   * `out`. onnxruntime
   * runs this channels-last kernel about twice as fast as an NCHW resize plus the transpose of its output, with
   * the same values.
   */
  resizeNhwcLike(g: OnnxGraphBuilder, x: string, like: string, alignCorners: boolean, out: string): string {
    const nhw = g.op('Slice', [g.op('Shape', [like]), constInt64(g, 'c_0', [0]), constInt64(g, 'c_3', [3])]);
    const c = g.op('Slice', [g.op('Shape', [x]), constInt64(g, 'c_3', [3]), constInt64(g, 'c_4', [4])]);
    const sizes = g.op('Concat', [nhw, c], { axis: 0 });
    g.addNode('Resize', [x, '', '', sizes], [out], { mode: 'linear', coordinate_transformation_mode: alignCorners ? 'align_corners' : 'half_pixel' });
    return out;
  },

  /** Bilinear resize with half-pixel centres to a fixed spatial size. */
  resizeTo(g: OnnxGraphBuilder, x: string, size: [number, number]): string {
    const nc = g.op('Slice', [g.op('Shape', [x]), constInt64(g, 'c_0', [0]), constInt64(g, 'c_2', [2])]);
    const sizes = g.op('Concat', [nc, constInt64(g, `c_hw_${size[0]}_${size[1]}`, size)], { axis: 0 });
    return g.op('Resize', [x, '', '', sizes], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' });
  },

  /** Max pooling; ONNX pads never win the max, and ceil_mode sizes match PyTorch for the windows zls uses. */
  maxPool(g: OnnxGraphBuilder, x: string, p: { kernel: number; stride: number; padding: number; ceilMode: boolean }): string {
    const q = p.padding;
    return g.op('MaxPool', [x], { kernel_shape: [p.kernel, p.kernel], strides: [p.stride, p.stride], pads: [q, q, q, q], ceil_mode: p.ceilMode ? 1 : 0 });
  },

  avgPool(g: OnnxGraphBuilder, x: string, kernel: number, stride: number): string {
    return g.op('AveragePool', [x], { kernel_shape: [kernel, kernel], strides: [stride, stride] });
  },
};

const definedConstants = new WeakMap<OnnxGraphBuilder, Set<string>>();

/** A shared int64 constant: defined once per graph under a fixed name. */
function constInt64(g: OnnxGraphBuilder, name: string, values: number[]): string {
  const full = `zls_const_${name}`;
  let defined = definedConstants.get(g);
  if (!defined) definedConstants.set(g, (defined = new Set()));
  if (!defined.has(full)) {
    g.addInt64Initializer(full, values);
    defined.add(full);
  }
  return full;
}
