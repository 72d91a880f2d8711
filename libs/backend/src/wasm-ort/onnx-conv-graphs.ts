import { OnnxGraphBuilder } from '../onnx/onnx-graph-builder';

/** Geometry of a 2-D convolution in NHWC terms (the subset of tfjs' Conv2DInfo the graphs need). */
export interface ConvGeometry {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padInfo: { top: number; bottom: number; left: number; right: number };
}

export type FusedActivation = 'linear' | 'relu' | 'relu6' | 'sigmoid' | 'leakyrelu' | 'elu' | 'prelu';

export interface Epilogue {
  /** Name of a bias input, added with numpy broadcasting (NHWC), or null. */
  bias: { dims: readonly number[] } | null;
  activation: FusedActivation;
  leakyreluAlpha?: number;
  /** Shape of the PReLU slopes input when activation is 'prelu'. */
  preluDims?: readonly number[];
}

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];
/** tfjs filter [kh, kw, cin, cout] → ONNX Conv weight [cout, cin, kh, kw] (also ConvTranspose's [cin_T, cout_T, kh, kw]). */
const HWIO_TO_OIHW = [3, 2, 0, 1];

function convAttrs(g: ConvGeometry) {
  return {
    strides: [g.strideHeight, g.strideWidth],
    dilations: [g.dilationHeight, g.dilationWidth],
    pads: [g.padInfo.top, g.padInfo.left, g.padInfo.bottom, g.padInfo.right],
    kernel_shape: [g.filterHeight, g.filterWidth],
    group: 1,
  };
}

/** Appends bias + activation to an NHWC value; returns the final value name and the extra inputs it needs. */
export function appendEpilogue(b: OnnxGraphBuilder, value: string, e: Epilogue): { value: string; inputs: string[] } {
  const inputs: string[] = [];
  let v = value;
  if (e.bias) {
    b.addInput('bias', [...e.bias.dims]);
    inputs.push('bias');
    v = b.op('Add', [v, 'bias']);
  }
  switch (e.activation) {
    case 'linear':
      break;
    case 'relu':
      v = b.op('Relu', [v]);
      break;
    case 'relu6': {
      b.addInitializer('clip_lo', Float32Array.of(0), []);
      b.addInitializer('clip_hi', Float32Array.of(6), []);
      v = b.op('Clip', [v, 'clip_lo', 'clip_hi']);
      break;
    }
    case 'sigmoid':
      v = b.op('Sigmoid', [v]);
      break;
    case 'leakyrelu':
      v = b.op('LeakyRelu', [v], { alpha: { float: e.leakyreluAlpha ?? 0.2 } });
      break;
    case 'elu':
      v = b.op('Elu', [v], { alpha: { float: 1 } });
      break;
    case 'prelu':
      b.addInput('prelu', [...(e.preluDims ?? [])]);
      inputs.push('prelu');
      v = b.op('PRelu', [v, 'prelu']);
      break;
  }
  return { value: v, inputs };
}

/** y[N,OH,OW,Cout] = conv2d(x[N,H,W,Cin], w[kh,kw,Cin,Cout]) (+ epilogue). */
export function buildConv2D(b: OnnxGraphBuilder, g: ConvGeometry, epilogue?: Epilogue) {
  b.addInput('x', [g.batchSize, g.inHeight, g.inWidth, g.inChannels]);
  b.addInput('w', [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels]);
  const xc = b.op('Transpose', ['x'], { perm: NHWC_TO_NCHW });
  const wc = b.op('Transpose', ['w'], { perm: HWIO_TO_OIHW });
  const convInputs = [xc, wc];
  const inputs = ['x', 'w'];
  let e = epilogue;
  // A per-channel bias folds into Conv itself; anything else is added after, with broadcasting.
  if (e?.bias && e.bias.dims.length === 1 && e.bias.dims[0] === g.outChannels) {
    b.addInput('bias', [g.outChannels]);
    convInputs.push('bias');
    inputs.push('bias');
    e = { ...e, bias: null };
  }
  const yc = b.op('Conv', convInputs, convAttrs(g));
  let y = b.op('Transpose', [yc], { perm: NCHW_TO_NHWC });
  if (e) {
    const tail = appendEpilogue(b, y, e);
    y = tail.value;
    inputs.push(...tail.inputs);
  }
  b.addOutput(y, [g.batchSize, g.outHeight, g.outWidth, g.outChannels]);
  return { inputs, output: y };
}

/** dx[N,H,W,Cin] from dy[N,OH,OW,Cout] and w: the transposed convolution with the forward's geometry. */
export function buildConv2DBackpropInput(b: OnnxGraphBuilder, g: ConvGeometry) {
  b.addInput('dy', [g.batchSize, g.outHeight, g.outWidth, g.outChannels]);
  b.addInput('w', [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels]);
  const dyc = b.op('Transpose', ['dy'], { perm: NHWC_TO_NCHW });
  const wc = b.op('Transpose', ['w'], { perm: HWIO_TO_OIHW });
  // ConvTranspose yields s(in−1) + d(k−1) + 1 − pads + output_padding; output_padding restores the rows that
  // a strided forward conv dropped at the far edge.
  const effH = g.dilationHeight * (g.filterHeight - 1) + 1;
  const effW = g.dilationWidth * (g.filterWidth - 1) + 1;
  const baseH = g.strideHeight * (g.outHeight - 1) + effH - g.padInfo.top - g.padInfo.bottom;
  const baseW = g.strideWidth * (g.outWidth - 1) + effW - g.padInfo.left - g.padInfo.right;
  const dxc = b.op('ConvTranspose', [dyc, wc], {
    strides: [g.strideHeight, g.strideWidth],
    dilations: [g.dilationHeight, g.dilationWidth],
    pads: [g.padInfo.top, g.padInfo.left, g.padInfo.bottom, g.padInfo.right],
    kernel_shape: [g.filterHeight, g.filterWidth],
    output_padding: [g.inHeight - baseH, g.inWidth - baseW],
    group: 1,
  });
  const dx = b.op('Transpose', [dxc], { perm: NCHW_TO_NHWC });
  b.addOutput(dx, [g.batchSize, g.inHeight, g.inWidth, g.inChannels]);
  return { inputs: ['dy', 'w'], output: dx };
}

/** out[..., m, n] = a[..., m, k] · b[..., k, n], either operand optionally transposed (+ epilogue). */
export function buildBatchMatMul(
  b: OnnxGraphBuilder,
  aDims: readonly number[],
  bDims: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
  outDims: readonly number[],
  epilogue?: Epilogue,
) {
  b.addInput('a', [...aDims]);
  b.addInput('b', [...bDims]);
  const swapLast = (rank: number) => [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
  const a = transposeA ? b.op('Transpose', ['a'], { perm: swapLast(aDims.length) }) : 'a';
  const bb = transposeB ? b.op('Transpose', ['b'], { perm: swapLast(bDims.length) }) : 'b';
  let y = b.op('MatMul', [a, bb]);
  const inputs = ['a', 'b'];
  if (epilogue) {
    const tail = appendEpilogue(b, y, epilogue);
    y = tail.value;
    inputs.push(...tail.inputs);
  }
  b.addOutput(y, [...outDims]);
  return { inputs, output: y };
}
