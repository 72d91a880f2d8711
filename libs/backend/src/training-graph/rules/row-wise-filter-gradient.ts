import type { GradientContext } from '../gradient-context';
import { type ConvAttrs, padSpatial, tapProduct, tapWindow } from './conv-taps';

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
export function rowWiseFilterGradient(xShape: number[], outHW: [number, number], o: number, kw: number, taps: number[], c: ConvAttrs): boolean {
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
export function rowWiseTapProducts(ctx: GradientContext, x: string, xShape: number[], dy: string, [o, oh, ow]: number[], kw: number, taps: number[], c: ConvAttrs): string[] {
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
