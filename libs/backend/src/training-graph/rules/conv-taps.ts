import { ZlsError } from '@zls/core';
import type { OnnxNodeSpec } from '../../onnx/onnx-graph-builder';
import type { GradientContext } from '../gradient-context';

// A convolution's filter taps: which read real input, where each starts in padded x, and how per-tap products
// become a filter gradient [O, C, KH, KW]. Shared by conv-gradient.ts and row-wise-filter-gradient.ts.

export interface ConvAttrs {
  strides: [number, number];
  dilations: [number, number];
  /** top, left, bottom, right */
  pads: [number, number, number, number];
  group: number;
}

export function convAttrs(node: OnnxNodeSpec): ConvAttrs {
  const a = node.attrs;
  if (a['auto_pad'] !== undefined && a['auto_pad'] !== 'NOTSET') throw new ZlsError(`training graph: Conv '${node.name}' uses auto_pad; only explicit pads are differentiated`);
  const pair = (v: unknown, d: number): [number, number] => (Array.isArray(v) ? [v[0] as number, v[1] as number] : [d, d]);
  const pads = Array.isArray(a['pads']) ? (a['pads'] as number[]) : [0, 0, 0, 0];
  return { strides: pair(a['strides'], 1), dilations: pair(a['dilations'], 1), pads: [pads[0], pads[1], pads[2], pads[3]], group: (a['group'] as number | undefined) ?? 1 };
}

/** Filter taps (i·kw + j) that read at least one real input pixel; the others' weight gradient is zero. */
export function liveTaps(kh: number, kw: number, inH: number, inW: number, outH: number, outW: number, c: ConvAttrs): number[] {
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

/** How far x must be padded on each side for the live taps' reads, and where each tap starts in padded x. */
export interface TapWindow {
  /** top, left, bottom, right */
  pad: [number, number, number, number];
  /** The first padded row and column a tap reads. */
  row: (t: number) => number;
  col: (t: number) => number;
}

export function tapWindow(inHW: [number, number], outHW: [number, number], kw: number, taps: number[], c: ConvAttrs): TapWindow {
  const [h, w] = inHW;
  const rowOf = (t: number) => Math.floor(t / kw) * c.dilations[0];
  const colOf = (t: number) => (t % kw) * c.dilations[1];
  const spanH = (outHW[0] - 1) * c.strides[0] + 1;
  const spanW = (outHW[1] - 1) * c.strides[1] + 1;
  const top = Math.max(0, c.pads[0] - Math.min(...taps.map(rowOf)));
  const left = Math.max(0, c.pads[1] - Math.min(...taps.map(colOf)));
  const bottom = Math.max(0, Math.max(...taps.map(rowOf)) - c.pads[0] + spanH - h);
  const right = Math.max(0, Math.max(...taps.map(colOf)) - c.pads[1] + spanW - w);
  return { pad: [top, left, bottom, right], row: (t) => rowOf(t) - c.pads[0] + top, col: (t) => colOf(t) - c.pads[1] + left };
}

export function padSpatial(ctx: GradientContext, x: string, [top, left, bottom, right]: number[]): string {
  if (top + left + bottom + right === 0) return x;
  return ctx.g.op('Pad', [x, ctx.constInt64([0, 0, top, left, 0, 0, bottom, right])], { mode: 'constant' });
}

/**
 * The input values each live tap multiplies, one strided Slice per tap, as [A, B·OH·OW] for x of shape [A, B, H, W]
 * (x padded only as far as the taps reach). Kept apart: one product per tap is faster than concatenating them
 * into patches.
 */
export function tapSlices(ctx: GradientContext, x: string, xShape: number[], outHW: [number, number], kw: number, taps: number[], c: ConvAttrs): string[] {
  const [n, ch, h, w] = xShape;
  const [oh, ow] = outHW;
  const spanH = (oh - 1) * c.strides[0] + 1;
  const spanW = (ow - 1) * c.strides[1] + 1;
  const win = tapWindow([h, w], outHW, kw, taps, c);
  const g = ctx.g;
  const padded = padSpatial(ctx, x, win.pad);
  const axes = ctx.constInt64([2, 3]);
  const steps = ctx.constInt64([c.strides[0], c.strides[1]]);
  return taps.map((t) => {
    const r0 = win.row(t);
    const c0 = win.col(t);
    // A tap that reads x whole (a 1×1 stride-1 convolution's; a lone live tap of a dilated filter on a small map): no copy.
    if (padded === x && r0 === 0 && c0 === 0 && spanH === h && spanW === w && c.strides[0] === 1 && c.strides[1] === 1) return ctx.reshape(x, [n, ch * oh * ow]);
    const s = g.op('Slice', [padded, ctx.constInt64([r0, c0]), ctx.constInt64([r0 + spanH, c0 + spanW]), axes, steps]);
    return ctx.reshape(s, [n, ch * oh * ow]);
  });
}

/** [.., T] live-tap values → [.., kh·kw] with zeros for the dead taps (a product with a 0/1 matrix). */
export function scatterTaps(ctx: GradientContext, value: string, taps: number[], kh: number, kw: number): string {
  if (taps.length === kh * kw) return value;
  return ctx.g.op('MatMul', [value, tapPlacement(ctx, taps, kh * kw)]);
}

/** The [T, KH·KW] 0/1 matrix that puts live tap i at its place t (the identity when every tap lives). */
function tapPlacement(ctx: GradientContext, taps: number[], size: number): string {
  const select = new Float32Array(taps.length * size);
  taps.forEach((t, i) => (select[i * size + t] = 1));
  return ctx.constFloat(select, [taps.length, size]);
}

/** dWₜᵀ [C, O] = xₜ [C, K] · dyₜ [K, O]: one GEMM (reading either operand transposed made it 20% slower). */
export function tapProduct(ctx: GradientContext, dyAt: string, xAt: string): string {
  return ctx.g.op('MatMul', [xAt, dyAt]);
}

/**
 * dW [O, C, KH, KW] from each live tap's dWₜᵀ [C, O]: stacked [T, C·O], then one product with tapPlacement, read
 * transposed, which moves the tap axis innermost and fills the dead taps with zeros, then C and O swapped in
 * whole KH·KW blocks. onnxruntime's Transpose moves a tap axis element by element (0.1–0.2 s for a
 * 600×2048×3×3 ASPP filter).
 */
export function filterFromTaps(ctx: GradientContext, perTap: string[], taps: number[], [o, c, kh, kw]: number[]): string {
  const g = ctx.g;
  const stacked = ctx.reshape(perTap.length === 1 ? perTap[0] : g.op('Concat', perTap, { axis: 0 }), [taps.length, c * o]);
  const placed = kh * kw === 1 ? stacked : g.op('Gemm', [stacked, tapPlacement(ctx, taps, kh * kw)], { transA: 1 });
  return ctx.reshape(g.op('Transpose', [ctx.reshape(placed, [c, o, kh * kw])], { perm: [1, 0, 2] }), [o, c, kh, kw]);
}
