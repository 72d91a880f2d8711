import { ZlsError } from '@zls/core';
import type { OnnxNodeSpec } from '../../onnx/onnx-graph-builder';
import type { GradientContext, GradientRule } from '../gradient-context';
import { emitConvolution } from '../nchwc-convolution';

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

/** How far x must be padded on each side for the live taps' reads, and where each tap starts in padded x. */
interface TapWindow {
  /** top, left, bottom, right */
  pad: [number, number, number, number];
  /** The first padded row and column a tap reads. */
  row: (t: number) => number;
  col: (t: number) => number;
}

function tapWindow(inHW: [number, number], outHW: [number, number], kw: number, taps: number[], c: ConvAttrs): TapWindow {
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

function padSpatial(ctx: GradientContext, x: string, [top, left, bottom, right]: number[]): string {
  if (top + left + bottom + right === 0) return x;
  return ctx.g.op('Pad', [x, ctx.constInt64([0, 0, top, left, 0, 0, bottom, right])], { mode: 'constant' });
}

/**
 * The input values each live tap multiplies, one strided Slice per tap, as [A, B·OH·OW] for x of shape [A, B, H, W]
 * (x padded only as far as the taps reach). Kept apart: one product per tap is faster than concatenating them
 * into patches.
 */
function tapSlices(ctx: GradientContext, x: string, xShape: number[], outHW: [number, number], kw: number, taps: number[], c: ConvAttrs): string[] {
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
function scatterTaps(ctx: GradientContext, value: string, taps: number[], kh: number, kw: number): string {
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
function tapProduct(ctx: GradientContext, dyAt: string, xAt: string): string {
  return ctx.g.op('MatMul', [xAt, dyAt]);
}

/**
 * dW [O, C, KH, KW] from each live tap's dWₜᵀ [C, O]: stacked [T, C·O], then one product with tapPlacement, read
 * transposed, which moves the tap axis innermost and fills the dead taps with zeros, then C and O swapped in
 * whole KH·KW blocks. onnxruntime's Transpose moves a tap axis element by element (0.1–0.2 s for a
 * 600×2048×3×3 ASPP filter).
 */
function filterFromTaps(ctx: GradientContext, perTap: string[], taps: number[], [o, c, kh, kw]: number[]): string {
  const g = ctx.g;
  const stacked = ctx.reshape(perTap.length === 1 ? perTap[0] : g.op('Concat', perTap, { axis: 0 }), [taps.length, c * o]);
  const placed = kh * kw === 1 ? stacked : g.op('Gemm', [stacked, tapPlacement(ctx, taps, kh * kw)], { transA: 1 });
  return ctx.reshape(g.op('Transpose', [ctx.reshape(placed, [c, o, kh * kw])], { perm: [1, 0, 2] }), [o, c, kh, kw]);
}

/**
 * The row-wise layout of a group-1 filter gradient with equal strides s: x padded (rows only at stride 1; rows and
 * columns, rounded up to whole strides, otherwise) and split into s² phase images of [Hp/s, Wp/s]. Tap t reads
 * phase (row mod s, col mod s) from phase row ⌊row/s⌋ and phase column ⌊col/s⌋ on, with stride 1; at stride 1
 * that column may lie left of x or run past it, where dy's zeros stand for the padding.
 */
interface RowWisePlan {
  /** top, left, bottom, right */
  pad: [number, number, number, number];
  phaseH: number;
  phaseW: number;
  /** A tap's first row and column in padded x. */
  row: (t: number) => number;
  col: (t: number) => number;
}

function rowWisePlan([h, w]: [number, number], outHW: [number, number], kw: number, taps: number[], c: ConvAttrs): RowWisePlan {
  const win = tapWindow([h, w], outHW, kw, taps, c);
  const s = c.strides[0];
  const [top, left, bottom, right] = s === 1 ? [win.pad[0], 0, win.pad[2], 0] : win.pad;
  const phaseH = Math.ceil((h + top + bottom) / s);
  const phaseW = Math.ceil((w + left + right) / s);
  return {
    pad: [top, left, phaseH * s - h - top, phaseW * s - w - left],
    phaseH,
    phaseW,
    row: win.row,
    col: (t) => win.col(t) - win.pad[1] + left,
  };
}

/**
 * Whether a group-1 filter gradient goes row-wise (rowWiseTapProducts): its products run over whole phase rows,
 * Wp/(s·OW) times the work (1 at stride 1 with 'same' padding), but it copies x in long runs once per (tap row,
 * phase column) instead of in OW-long runs once per tap. Worth it while the extra multiply-adds per copied value,
 * (Wp/(s·OW) − 1)·O, stay small.
 */
function rowWiseFilterGradient(xShape: number[], outHW: [number, number], o: number, kw: number, taps: number[], c: ConvAttrs): boolean {
  if ((kw === 1 && c.strides[1] === 1) || c.strides[0] !== c.strides[1]) return false;
  const plan = rowWisePlan([xShape[2], xShape[3]], outHW, kw, taps, c);
  return (plan.phaseW / outHW[1] - 1) * o <= ROW_WISE_MAX_EXTRA_MACS;
}

const ROW_WISE_MAX_EXTRA_MACS = 48;

/** ⌊a/b⌋ and a mod b, the remainder never negative. */
const floorDiv = (a: number, b: number): [number, number] => [Math.floor(a / b), ((a % b) + b) % b];

/**
 * dWₜᵀ [C, O] for each live tap of a group-1 convolution, with the tap's column offset
 * moved onto dy. For padded x as [C, s²·N, Hp/s, Wp/s] (phases), the rows a tap reads are one contiguous run per
 * (c, n), and dy laid out [N, OH, Wp/s, O], shifted to the tap's columns with zeros elsewhere, picks the right ones.
 * So x is copied once per (tap row, phase column) and dy once per column offset, each in long runs: onnxruntime's
 * Slice copies OW-long rows slowly (4 GB/s here on 17-wide maps).
 */
function rowWiseTapProducts(ctx: GradientContext, x: string, xShape: number[], dy: string, [o, oh, ow]: number[], kw: number, taps: number[], c: ConvAttrs): string[] {
  const [n, ch, h, w] = xShape;
  const s = c.strides[0];
  const g = ctx.g;
  const plan = rowWisePlan([h, w], [oh, ow], kw, taps, c);
  const { phaseH, phaseW } = plan;
  const [top, left, bottom, right] = plan.pad;
  const xT = g.op('Transpose', [x], { perm: [1, 0, 2, 3] });
  /** The output rows whose input row is real (not padding) for tap t, at stride 1. */
  const realRows = (t: number): [number, number] => [Math.max(0, top - plan.row(t)), Math.min(oh, top + h - plan.row(t))];
  const crop = s === 1 && croppingPays(taps.map(realRows), taps.map((t) => plan.col(t)), [n, ch, o, oh, w]);
  let phases = xT;
  if (!crop) {
    // Rows only: padded as [C, N, H·W] so each (c, n) is one run (Pad copies innermost-axis runs).
    const padded = left + right > 0 ? padSpatial(ctx, xT, plan.pad)
      : top + bottom > 0 ? ctx.reshape(g.op('Pad', [ctx.reshape(xT, [ch, n, h * w]), ctx.constInt64([0, 0, top * w, 0, 0, bottom * w])], { mode: 'constant' }), [ch, n, phaseH, w])
      : xT;
    // [C, s²·N, Hp/s, Wp/s], phase-major. SpaceToDepth, not Reshape + Transpose: onnxruntime's transpose optimiser
    // would push that Transpose past the Slices below, which then copy element by element.
    phases = s === 1 ? padded : g.op('SpaceToDepth', [padded], { blocksize: s });
  }
  /** Tap t's output rows [y0, y1) and, in `phases`, its first row and phase. */
  const window = (t: number) => {
    const [r0, pr] = floorDiv(plan.row(t), s);
    const [y0, y1] = crop ? realRows(t) : [0, oh];
    return { y0, y1, first: crop ? r0 - top + y0 : r0, phase: pr * s + floorDiv(plan.col(t), s)[1] };
  };
  const rows = new Map<string, string>();
  const rowSlice = (t: number) => {
    const { y0, y1, first, phase } = window(t);
    const key = `${first},${y1 - y0},${phase}`;
    let slice = rows.get(key);
    if (!slice) {
      const whole = s === 1 && first === 0 && y1 - y0 === phaseH;
      slice = whole ? phases : g.op('Slice', [phases, ctx.constInt64([phase * n, first]), ctx.constInt64([(phase + 1) * n, first + y1 - y0]), ctx.constInt64([1, 2])]);
      slice = ctx.reshape(slice, [ch, n * (y1 - y0) * phaseW]);
      rows.set(key, slice);
    }
    return slice;
  };
  const dyT = g.op('Transpose', [dy], { perm: [0, 2, 3, 1] });
  const columns = new Map<string, string>();
  const dyAt = (t: number) => {
    const c0 = floorDiv(plan.col(t), s)[0];
    const { y0, y1 } = window(t);
    const key = `${c0},${y0},${y1}`;
    let d = columns.get(key);
    if (!d) {
      // Shifted along [N, OH, OW·O] rows, so Pad copies long runs; negative pads crop the columns a tap would read
      // left of x or past it (and, cropping, the rows that read padding).
      const end = phaseW - ow - c0;
      const pads = [0, -y0, c0 * o, 0, y1 - oh, end * o];
      d = pads.every((p) => p === 0) ? dyT : g.op('Pad', [ctx.reshape(dyT, [n, oh, ow * o]), ctx.constInt64(pads)], { mode: 'constant' });
      d = ctx.reshape(d, [n * (y1 - y0) * phaseW, o]);
      columns.set(key, d);
    }
    return d;
  };
  return taps.map((t) => tapProduct(ctx, dyAt(t), rowSlice(t)));
}

/**
 * Whether a stride-1 row-wise filter gradient should multiply only the output rows whose input rows are real:
 * that skips the padding rows' multiply-adds but copies dy once per (row range, column offset) instead of once
 * per column offset. Worth it when the work saved is well above the extra copying (about 85 multiply-adds per
 * copied value here: ~0.012 ns a multiply-add in a GEMM, ~1 ns a value in a Pad): SPNet's ASPP at dilation
 * 12–24 on 41² maps, not the main job's 17² layers.
 */
function croppingPays(real: [number, number][], cols: number[], [n, ch, o, oh, w]: number[]): boolean {
  const savedMacs = real.reduce((sum, [y0, y1]) => sum + (oh - (y1 - y0)) * w * n * ch * o, 0);
  const copies = (keys: string[]) => new Set(keys).size;
  const extraCopies = copies(real.map((r, i) => `${cols[i]},${r}`)) - copies(cols.map(String));
  return savedMacs > 85 * extraCopies * n * oh * w * o;
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
