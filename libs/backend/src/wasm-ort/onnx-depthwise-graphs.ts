import { OnnxGraphBuilder } from '../onnx/onnx-graph-builder';
import { ConvGeometry } from './onnx-conv-graphs';
import { liveTaps, patches, reshape } from './onnx-im2col-graphs';

/**
 * Gradients of tfjs' depthwise convolution (x [N,H,W,C], filter [kh,kw,C,M], output channel c·M + m),
 * which the wasm backend lacks. `g` is tfjs' depthwise Conv2DInfo: inChannels C, outChannels C·M.
 */

/** dx: the transposed convolution, one group per input channel (ConvTranspose, group = C). */
export function buildDepthwiseBackpropInput(b: OnnxGraphBuilder, g: ConvGeometry) {
  const c = g.inChannels;
  const cm = g.outChannels;
  b.addInput('dy', [g.batchSize, g.outHeight, g.outWidth, cm]);
  b.addInput('w', [g.filterHeight, g.filterWidth, c, cm / c]);
  const dyc = b.op('Transpose', ['dy'], { perm: [0, 3, 1, 2] });
  // [kh,kw,C,M] → [kh,kw,C·M,1] → [C·M, 1, kh, kw]: ConvTranspose's (C_in, C_out / group, kh, kw).
  const wt = b.op('Transpose', [reshape(b, 'w', [g.filterHeight, g.filterWidth, cm, 1])], { perm: [2, 3, 0, 1] });
  const effH = g.dilationHeight * (g.filterHeight - 1) + 1;
  const effW = g.dilationWidth * (g.filterWidth - 1) + 1;
  const p = g.padInfo;
  const baseH = g.strideHeight * (g.outHeight - 1) + effH - p.top - p.bottom;
  const baseW = g.strideWidth * (g.outWidth - 1) + effW - p.left - p.right;
  const dxc = b.op('ConvTranspose', [dyc, wt], {
    strides: [g.strideHeight, g.strideWidth],
    dilations: [g.dilationHeight, g.dilationWidth],
    pads: [p.top, p.left, p.bottom, p.right],
    kernel_shape: [g.filterHeight, g.filterWidth],
    output_padding: [g.inHeight - baseH, g.inWidth - baseW],
    group: c,
  });
  const dx = b.op('Transpose', [dxc], { perm: [0, 2, 3, 1] });
  b.addOutput(dx, [g.batchSize, g.inHeight, g.inWidth, c]);
  return { inputs: ['dy', 'w'], output: dx };
}

/** dW[t, c, m] = Σ_rows patch[row, t, c] · dy[row, c, m]: one batched product over channels. */
export function buildDepthwiseBackpropFilter(b: OnnxGraphBuilder, g: ConvGeometry) {
  const c = g.inChannels;
  const m = g.outChannels / c;
  const k = g.filterHeight * g.filterWidth;
  const rows = g.batchSize * g.outHeight * g.outWidth;
  const outDims = [g.filterHeight, g.filterWidth, c, m];
  b.addInput('x', [g.batchSize, g.inHeight, g.inWidth, c]);
  b.addInput('dy', [g.batchSize, g.outHeight, g.outWidth, g.outChannels]);
  const taps = liveTaps(g);
  let dw: string;
  if (taps.length === 0) {
    b.addInitializer('zeros', new Float32Array(k * c * m), outDims);
    dw = b.op('Identity', ['zeros']);
  } else {
    const t = taps.length;
    const cols = b.op('Transpose', [reshape(b, patches(b, 'x', g, taps, c), [rows, t, c])], { perm: [2, 1, 0] }); // [C, T, rows]
    const dyc = b.op('Transpose', [reshape(b, 'dy', [rows, c, m])], { perm: [1, 0, 2] }); // [C, rows, M]
    const perTap = b.op('Transpose', [b.op('MatMul', [cols, dyc])], { perm: [1, 0, 2] }); // [T, C, M]
    if (t === k) {
      dw = reshape(b, perTap, outDims);
    } else {
      b.addInitializer('zeros', new Float32Array(k * c * m), [k, c, m]);
      const idx = b.temp('taps');
      b.addInitializer(idx, BigInt64Array.from(taps.map((v) => BigInt(v))), [t, 1], 'int64');
      dw = reshape(b, b.op('ScatterND', ['zeros', idx, perTap]), outDims);
    }
  }
  b.addOutput(dw, outDims);
  return { inputs: ['x', 'dy'], output: dw };
}
