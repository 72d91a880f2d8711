import { ZlsError } from '@zls/core';
import type { OnnxNodeSpec } from '../../onnx/onnx-graph-builder';
import type { GradientContext, GradientRule } from '../gradient-context';
import { emitConvolution } from '../nchwc-convolution';
import { type ConvAttrs, convAttrs, filterFromTaps, liveTaps, scatterTaps, tapProduct, tapSlices } from './conv-taps';
import { rowWiseFilterGradient, rowWiseTapProducts } from './row-wise-filter-gradient';

function filterGradient(ctx: GradientContext, node: OnnxNodeSpec, dy: string, c: ConvAttrs): string {
  const [x, wName] = node.inputs;
  const xShape = ctx.shape(x);
  const [o, cPerGroup, kh, kw] = ctx.shape(wName);
  const [n, ch, h, w] = xShape;
  const [, , oh, ow] = ctx.shape(node.outputs[0]);
  const taps = liveTaps(kh, kw, h, w, oh, ow, c);
  if (taps.length === 0) return ctx.g.op('ConstantOfShape', [ctx.constInt64([o, cPerGroup, kh, kw])]);
  const g = ctx.g;
  const stacked = (parts: string[]) => (parts.length === 1 ? parts[0] : g.op('Concat', parts, { axis: 0 }));
  if (c.group === 1 && kh * kw === 1 && c.strides[0] === 1 && c.strides[1] === 1 && c.pads.every((p) => p === 0)) {
    // A 1×1 stride-1 convolution's tap is x itself (2 of 3 convolutions in a bottleneck): per image, dWᵀ[c, o] =
    // x[n] · dy[n]ᵀ, summed over the batch, so x is never copied.
    const dyT = g.op('Transpose', [ctx.reshape(dy, [n, o, oh * ow])], { perm: [0, 2, 1] });
    const dwT = ctx.reduceSum(g.op('MatMul', [ctx.reshape(x, [n, ch, h * w]), dyT]), [0], false);
    return ctx.reshape(g.op('Transpose', [dwT], { perm: [1, 0] }), [o, ch, 1, 1]);
  }
  if (c.group === 1 && rowWiseFilterGradient(xShape, [oh, ow], o, kw, taps, c)) {
    return filterFromTaps(ctx, rowWiseTapProducts(ctx, x, xShape, dy, [o, oh, ow], kw, taps, c), taps, [o, ch, kh, kw]);
  }
  if (c.group === 1) {
    // x as [C, N, H, W] and dy as [N·OH·OW, O], each transposed once: a tap's dWₜ is then one GEMM whose depth
    // runs over the whole batch (no per-image products summed afterwards).
    const slices = tapSlices(ctx, g.op('Transpose', [x], { perm: [1, 0, 2, 3] }), [ch, n, h, w], [oh, ow], kw, taps, c);
    const dyT = ctx.reshape(g.op('Transpose', [dy], { perm: [0, 2, 3, 1] }), [n * oh * ow, o]);
    return filterFromTaps(ctx, slices.map((s) => tapProduct(ctx, dyT, s)), taps, [o, ch, kh, kw]);
  }
  if (c.group === ch && cPerGroup === 1 && o === ch) {
    // Depthwise: dW[c, t] = Σ_{n,p} dy[n, c, p] · slice_t[n, c, p].
    const slices = tapSlices(ctx, x, xShape, [oh, ow], kw, taps, c).map((s) => ctx.reshape(s, [n, ch, oh * ow]));
    const dyFlat = ctx.reshape(dy, [n, ch, oh * ow]);
    const perTap = slices.map((s) => ctx.reshape(ctx.reduceSum(g.op('Mul', [s, dyFlat]), [0, 2], false), [1, ch]));
    const dw = g.op('Transpose', [stacked(perTap)], { perm: [1, 0] });
    return ctx.reshape(scatterTaps(ctx, dw, taps, kh, kw), [o, 1, kh, kw]);
  }
  throw new ZlsError(`training graph: Conv '${node.name}' has ${c.group} groups of ${cPerGroup} channels; only group 1 and depthwise convolutions are differentiated`);
}

/**
 * dx of a stride-1 convolution as a plain convolution of dy with the filter flipped in space and, for group 1,
 * with in/out channels swapped: onnxruntime's Conv kernels are several times faster than its ConvTranspose
 * (col2im). Pads become d(k−1) − p on each side; undefined (null) when one would be negative.
 */
function inputGradientByConv(ctx: GradientContext, node: OnnxNodeSpec, dy: string, wShape: number[], c: ConvAttrs, depthwise: boolean): string | null {
  const [, , kh, kw] = wShape;
  const pads = [0, 1, 2, 3].map((i) => c.dilations[i % 2] * ((i % 2 === 0 ? kh : kw) - 1) - c.pads[i]);
  if (pads.some((p) => p < 0)) return null;
  const g = ctx.g;
  // Slice with step −1 reverses the spatial axes; an end of −(k+1) clamps to "before index 0".
  const w = node.inputs[1];
  const flipped = kh * kw > 1 ? g.op('Slice', [w, ctx.constInt64([-1, -1]), ctx.constInt64([-kh - 1, -kw - 1]), ctx.constInt64([2, 3]), ctx.constInt64([-1, -1])]) : w;
  const dx = g.temp('conv_dx');
  const conv = { x: dy, xShape: ctx.shape(node.outputs[0]), w: flipped, wShape, swapFilterIO: !depthwise };
  emitConvolution(ctx, conv, dx, { kernel_shape: [kh, kw], dilations: c.dilations, pads, group: c.group });
  return dx;
}

/** Conv(x, W, b): dx by a convolution (stride 1) or the transposed convolution, dW from the input patches, db by summing dy. */
export const convGradient: GradientRule = (ctx, node, [dy], needs) => {
  if (!dy) return node.inputs.map(() => undefined);
  const c = convAttrs(node);
  const [x, w] = node.inputs;
  let dx: string | undefined;
  if (needs[0]) {
    const [, ch, h, wid] = ctx.shape(x);
    const wShape = ctx.shape(w);
    const [o, cPerGroup, kh, kw] = wShape;
    const [, , oh, ow] = ctx.shape(node.outputs[0]);
    const depthwise = c.group === ch && cPerGroup === 1 && o === ch;
    const unitStride = c.strides[0] === 1 && c.strides[1] === 1;
    dx = unitStride && (c.group === 1 || depthwise) ? (inputGradientByConv(ctx, node, dy, wShape, c, depthwise) ?? undefined) : undefined;
    if (!dx) {
      // ConvTranspose yields s(out−1) + d(k−1) + 1 − pads (+ output_padding): the rows a strided forward
      // conv never reached at the far edge come back as output_padding (always < stride).
      const baseH = c.strides[0] * (oh - 1) + c.dilations[0] * (kh - 1) + 1 - c.pads[0] - c.pads[2];
      const baseW = c.strides[1] * (ow - 1) + c.dilations[1] * (kw - 1) + 1 - c.pads[1] - c.pads[3];
      dx = ctx.g.op('ConvTranspose', [dy, w], {
        kernel_shape: [kh, kw],
        strides: c.strides,
        dilations: c.dilations,
        pads: c.pads,
        group: c.group,
        output_padding: [h - baseH, wid - baseW],
      });
    }
  }
  const dw = needs[1] ? filterGradient(ctx, node, dy, c) : undefined;
  const db = node.inputs.length > 2 && needs[2] ? ctx.reduceSum(dy, [0, 2, 3], false) : undefined;
  return [dx, dw, db];
};
