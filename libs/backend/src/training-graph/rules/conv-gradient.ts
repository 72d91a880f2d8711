import { ZlsError } from '@zls/core';
import type { OnnxNodeSpec } from '../../onnx/onnx-graph-builder';
import type { GradientContext, GradientRule } from '../gradient-context';

interface ConvAttrs {
  strides: [number, number];
  dilations: [number, number];
  /** top, left, bottom, right */
  pads: [number, number, number, number];
  group: number;
}

function convAttrs(node: OnnxNodeSpec): ConvAttrs {
  const a = node.attrs;
  if (a['auto_pad'] !== undefined && a['auto_pad'] !== 'NOTSET') throw new ZlsError(`training graph: Conv '${node.name}' uses auto_pad; only explicit pads are differentiated`);
  const pair = (v: unknown, d: number): [number, number] => (Array.isArray(v) ? [v[0] as number, v[1] as number] : [d, d]);
  const pads = Array.isArray(a['pads']) ? (a['pads'] as number[]) : [0, 0, 0, 0];
  return { strides: pair(a['strides'], 1), dilations: pair(a['dilations'], 1), pads: [pads[0], pads[1], pads[2], pads[3]], group: (a['group'] as number | undefined) ?? 1 };
}

/** Filter taps (i·kw + j) that read at least one real input pixel; the others' weight gradient is zero. */
function liveTaps(kh: number, kw: number, inH: number, inW: number, outH: number, outW: number, c: ConvAttrs): number[] {
  const reaches = (k: number, dil: number, stride: number, pad: number, outSize: number, inSize: number) => {
    const first = k * dil - pad;
    const o = first >= 0 ? 0 : Math.ceil(-first / stride);
    return o < outSize && first + o * stride < inSize;
  };
  const taps: number[] = [];
  for (let i = 0; i < kh; i++) {
    if (!reaches(i, c.dilations[0], c.strides[0], c.pads[0], outH, inH)) continue;
    for (let j = 0; j < kw; j++) if (reaches(j, c.dilations[1], c.strides[1], c.pads[1], outW, inW)) taps.push(i * kw + j);
  }
  return taps;
}

/**
 * The input values each live tap multiplies, one strided Slice per tap, as [A, B·OH·OW] for x of shape [A, B, H, W]
 * (x padded only as far as the taps reach). Kept apart: one product per tap is faster than concatenating them
 * into patches.
 */
function tapSlices(ctx: GradientContext, x: string, xShape: number[], outHW: [number, number], kw: number, taps: number[], c: ConvAttrs): string[] {
  const [n, ch, h, w] = xShape;
  const [oh, ow] = outHW;
  const rowOf = (t: number) => Math.floor(t / kw) * c.dilations[0];
  const colOf = (t: number) => (t % kw) * c.dilations[1];
  const spanH = (oh - 1) * c.strides[0] + 1;
  const spanW = (ow - 1) * c.strides[1] + 1;
  const top = Math.max(0, c.pads[0] - Math.min(...taps.map(rowOf)));
  const left = Math.max(0, c.pads[1] - Math.min(...taps.map(colOf)));
  const bottom = Math.max(0, Math.max(...taps.map(rowOf)) - c.pads[0] + spanH - h);
  const right = Math.max(0, Math.max(...taps.map(colOf)) - c.pads[1] + spanW - w);
  const g = ctx.g;
  const padded = top + left + bottom + right > 0 ? g.op('Pad', [x, ctx.constInt64([0, 0, top, left, 0, 0, bottom, right])], { mode: 'constant' }) : x;
  const axes = ctx.constInt64([2, 3]);
  const steps = ctx.constInt64([c.strides[0], c.strides[1]]);
  return taps.map((t) => {
    const r0 = rowOf(t) - c.pads[0] + top;
    const c0 = colOf(t) - c.pads[1] + left;
    // A tap that reads x whole (a 1×1 stride-1 convolution's; a lone live tap of a dilated filter on a small map): no copy.
    if (padded === x && r0 === 0 && c0 === 0 && spanH === h && spanW === w && c.strides[0] === 1 && c.strides[1] === 1) return ctx.reshape(x, [n, ch * oh * ow]);
    const s = g.op('Slice', [padded, ctx.constInt64([r0, c0]), ctx.constInt64([r0 + spanH, c0 + spanW]), axes, steps]);
    return ctx.reshape(s, [n, ch * oh * ow]);
  });
}

/** [.., T] live-tap values → [.., kh·kw] with zeros for the dead taps (a product with a 0/1 matrix). */
function scatterTaps(ctx: GradientContext, value: string, taps: number[], kh: number, kw: number): string {
  if (taps.length === kh * kw) return value;
  const select = new Float32Array(taps.length * kh * kw);
  taps.forEach((t, i) => (select[i * kh * kw + t] = 1));
  return ctx.g.op('MatMul', [value, ctx.constFloat(select, [taps.length, kh * kw])]);
}

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
  if (c.group === 1) {
    // x as [C, N, H, W] and dy as [N·OH·OW, O], each transposed once: a tap's dWₜᵀ = slice_t · dy is then one
    // GEMM whose depth runs over the whole batch (no per-image products summed afterwards). Stacked [T·C, O] →
    // [O, C, T].
    const slices = tapSlices(ctx, g.op('Transpose', [x], { perm: [1, 0, 2, 3] }), [ch, n, h, w], [oh, ow], kw, taps, c);
    const dyT = ctx.reshape(g.op('Transpose', [dy], { perm: [0, 2, 3, 1] }), [n * oh * ow, o]);
    const perTap = stacked(slices.map((s) => g.op('MatMul', [s, dyT])));
    const dw = g.op('Transpose', [ctx.reshape(perTap, [taps.length, ch, o])], { perm: [2, 1, 0] });
    return ctx.reshape(scatterTaps(ctx, dw, taps, kh, kw), [o, ch, kh, kw]);
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
function inputGradientByConv(ctx: GradientContext, dy: string, w: string, wShape: number[], c: ConvAttrs, depthwise: boolean): string | null {
  const [, , kh, kw] = wShape;
  const pads = [0, 1, 2, 3].map((i) => c.dilations[i % 2] * ((i % 2 === 0 ? kh : kw) - 1) - c.pads[i]);
  if (pads.some((p) => p < 0)) return null;
  const g = ctx.g;
  let filter = depthwise ? w : g.op('Transpose', [w], { perm: [1, 0, 2, 3] });
  // Slice with step −1 reverses the spatial axes; an end of −(k+1) clamps to "before index 0".
  if (kh * kw > 1) filter = g.op('Slice', [filter, ctx.constInt64([-1, -1]), ctx.constInt64([-kh - 1, -kw - 1]), ctx.constInt64([2, 3]), ctx.constInt64([-1, -1])]);
  return g.op('Conv', [dy, filter], { kernel_shape: [kh, kw], dilations: c.dilations, pads, group: c.group });
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
    dx = unitStride && (c.group === 1 || depthwise) ? (inputGradientByConv(ctx, dy, w, wShape, c, depthwise) ?? undefined) : undefined;
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
