import { InferenceSession, Tensor } from 'onnxruntime-node';
import { OnnxGraphBuilder, type OnnxAttrValue } from '../onnx/onnx-graph-builder';
import type { GradientContext } from './gradient-context';

/**
 * onnxruntime's CPU kernels for channel-blocked convolutions (the com.microsoft.nchwc domain: activations as
 * [N, C/B, H, W, B], filters as [O/B, I/B, KH, KW, B(in), B(out)]) run a 3×3 convolution 1.3–1.7× as fast as its
 * plain Conv here, reorders included. Its optimiser only switches to them for constant filters, so a training
 * graph, whose filters are inputs, writes them itself.
 */
export const NCHWC_DOMAIN = 'com.microsoft.nchwc';

let probedBlock: Promise<number | undefined> | undefined;

/**
 * The channel block of this CPU's NCHWc kernels (16 with AVX-512, 8 with AVX2), read from the shape a
 * ReorderInput gives 4 channels; undefined where the kernels are missing.
 */
export function nchwcBlockSize(): Promise<number | undefined> {
  probedBlock ??= (async () => {
    const g = new OnnxGraphBuilder('nchwc-probe');
    g.addInput('x', [1, 4, 1, 1]);
    g.addNode('ReorderInput', ['x'], ['y'], {}, NCHWC_DOMAIN);
    g.addOutput('y', null);
    try {
      const session = await InferenceSession.create(g.toBytes(), { executionProviders: ['cpu'] });
      try {
        const { y } = await session.run({ x: new Tensor('float32', new Float32Array(4), [1, 4, 1, 1]) });
        return y.dims[1];
      } finally {
        await session.release();
      }
    } catch {
      return undefined;
    }
  })();
  return probedBlock;
}

const roundUp = (v: number, block: number) => Math.ceil(v / block) * block;

/**
 * Whether a convolution of x [N, C, H, W] by a filter [O, C/group, KH, KW] runs blocked: group 1, C a multiple of 4
 * (ReorderInput's rule), and channels padded up to whole blocks adding at most a quarter to the work (600 → 608
 * for SPNet's ASPP branches does; 4 → 16 does not).
 */
function blockable(xShape: readonly number[], [o, c]: readonly number[], group: number, block: number): boolean {
  if (xShape.length !== 4 || group !== 1 || xShape[1] !== c || c % 4 !== 0) return false;
  return roundUp(o, block) * roundUp(c, block) <= 1.25 * o * c;
}

/**
 * A filter [O, I, K] (K = KH·KW) as [cOut/B, cIn/B, K, B(in), B(out)], where (cOut, cIn) is (O, I), or (I, O)
 * when swapped: first the one block axis that must become innermost, moved by a product with the B×B identity
 * (exact, and a product onnxruntime's transpose optimiser leaves alone), then a transpose that keeps that
 * innermost axis, so it copies whole blocks. As one 5-D transpose, which the optimiser also makes of two
 * transposes in a row, onnxruntime moved it element by element: 0.2–0.4 ms for a 64×64×3×3 filter.
 */
function blockFilter(ctx: GradientContext, w: string, [o, i, k]: number[], block: number, swapped: boolean): string {
  const g = ctx.g;
  const identity = ctx.constFloat(Array.from({ length: block * block }, (_, j) => (j % (block + 1) === 0 ? 1 : 0)), [block, block]);
  const moveLast = (x: string) => {
    const y = g.temp('nchwc_filter');
    g.addNode('FusedMatMul', [x, identity], [y], { transA: 1 }, 'com.microsoft');
    return y;
  };
  if (!swapped) {
    // [O/B, B(o), I·K] → [O/B, I·K, B(o)] = [O/B, I/B, B(i), K, B(o)] → [O/B, I/B, K, B(i), B(o)].
    const outLast = moveLast(ctx.reshape(w, [o / block, block, i * k]));
    return g.op('Transpose', [ctx.reshape(outLast, [o / block, i / block, block, k, block])], { perm: [0, 1, 3, 2, 4] });
  }
  // [O·I/B, B(i), K] → [O·I/B, K, B(i)] = [O/B, B(o), I/B, K, B(i)] → [I/B, O/B, K, B(o), B(i)].
  const inLast = moveLast(ctx.reshape(w, [(o * i) / block, block, k]));
  return g.op('Transpose', [ctx.reshape(inLast, [o / block, block, i / block, k, block])], { perm: [2, 0, 3, 1, 4] });
}

export interface Convolution {
  x: string;
  xShape: readonly number[];
  /** The filter as stored, [O, I/group, KH, KW]. */
  w: string;
  wShape: readonly number[];
  bias?: string;
  /** Convolve with the filter's in and out channels swapped ([I, O, KH, KW]; group 1): a gradient's dx. */
  swapFilterIO?: boolean;
}

/**
 * Writes Conv(x, w[, b]) → `output`: channel-blocked when the context allows it (ctx.nchwcBlock) and the channels
 * fit (blockable), as a plain Conv otherwise. Values in and out are NCHW either way.
 */
export function emitConvolution(ctx: GradientContext, conv: Convolution, output: string, attrs: Record<string, OnnxAttrValue>): void {
  const block = ctx.nchwcBlock;
  const g = ctx.g;
  const [o, i, kh, kw] = conv.wShape;
  const [cOut, cIn] = conv.swapFilterIO ? [i, o] : [o, i];
  const bias = conv.bias ? [conv.bias] : [];
  if (!block || !blockable(conv.xShape, [cOut, cIn, kh, kw], (attrs['group'] as number | undefined) ?? 1, block)) {
    const filter = conv.swapFilterIO ? g.op('Transpose', [conv.w], { perm: [1, 0, 2, 3] }) : conv.w;
    g.addNode('Conv', [conv.x, filter, ...bias], [output], attrs);
    return;
  }
  // Channels padded with zeros up to whole blocks: ReorderInput pads x's, the filter and bias are padded here,
  // and ReorderOutput drops the padded outputs.
  const [oB, iB] = [roundUp(o, block), roundUp(i, block)];
  const w = oB === o && iB === i ? conv.w : g.op('Pad', [conv.w, ctx.constInt64([0, 0, 0, 0, oB - o, iB - i, 0, 0])], { mode: 'constant' });
  const [cOutB, cInB] = conv.swapFilterIO ? [iB, oB] : [oB, iB];
  const blockedFilter = ctx.reshape(blockFilter(ctx, w, [oB, iB, kh * kw], block, conv.swapFilterIO ?? false), [cOutB, cInB, kh, kw]);
  const blockedBias = bias.map((b) => (cOutB === cOut ? b : g.op('Pad', [b, ctx.constInt64([0, cOutB - cOut])], { mode: 'constant' })));
  const blockedX = g.temp('nchwc_x');
  g.addNode('ReorderInput', [conv.x], [blockedX], {}, NCHWC_DOMAIN);
  const blockedY = g.temp('nchwc_y');
  g.addNode('Conv', [blockedX, blockedFilter, ...blockedBias], [blockedY], { ...attrs, kernel_shape: [kh, kw] }, NCHWC_DOMAIN);
  g.addNode('ReorderOutput', [blockedY], [output], { channels: cOut }, NCHWC_DOMAIN);
}
