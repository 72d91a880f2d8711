import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ZlsError } from '@zls/core';
import { OnnxGraphBuilder } from '../onnx/onnx-graph-builder';
import { runCompiledOp, SingleOpSessionCache } from '../ort/single-op-session-cache';
import { buildBatchMatMul, buildConv2D, buildConv2DBackpropInput, ConvGeometry, Epilogue, FusedActivation } from './onnx-conv-graphs';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD } from '../fused/batch-norm-relu';
import { SOFTMAX_CROSS_ENTROPY, SOFTMAX_CROSS_ENTROPY_GRAD } from '../fused/softmax-cross-entropy';
import { buildCrossEntropyBackward, buildCrossEntropyForward } from './onnx-cross-entropy-graphs';
import { buildBatchNormBackward, buildBatchNormForward } from './onnx-batch-norm-graphs';
import { buildDepthwiseBackpropFilter, buildDepthwiseBackpropInput } from './onnx-depthwise-graphs';
import { unsortedSegmentSum } from './unsorted-segment-sum';
import { buildIm2colConv, buildIm2colFilterGrad, liveTaps } from './onnx-im2col-graphs';

type TensorInfo = tf.TensorInfo;
type Attrs = Record<string, unknown>;
type KernelArgs = { inputs: Record<string, TensorInfo | undefined>; backend: BackendWasm; attrs: Attrs };

/** One cache for every wasm-ort kernel: sessions are keyed by kernel name, shapes and attributes. */
export const wasmOrtSessions = new SingleOpSessionCache();

const ORT_ACTIVATIONS = new Set<FusedActivation>(['linear', 'relu', 'relu6', 'sigmoid', 'leakyrelu', 'elu', 'prelu']);

function allFloat32(...ts: (TensorInfo | undefined)[]): boolean {
  return ts.every((t) => t === undefined || t.dtype === 'float32');
}

/**
 * Allocates the output in the wasm heap, then runs the op with views on the heap for inputs and output:
 * views are taken after the allocation because growing wasm memory detaches earlier views.
 */
export function runIntoHeap(backend: BackendWasm, key: string, build: Parameters<SingleOpSessionCache['get']>[1], inputs: TensorInfo[], outShape: number[]): TensorInfo {
  return runIntoHeapMulti(backend, key, build, inputs, [outShape])[0];
}

/** runIntoHeap for graphs with several outputs, returned in the graph's output order. */
export function runIntoHeapMulti(backend: BackendWasm, key: string, build: Parameters<SingleOpSessionCache['get']>[1], inputs: TensorInfo[], outShapes: number[][]): TensorInfo[] {
  const op = wasmOrtSessions.get(key, build);
  const outs = outShapes.map((shape) => backend.makeOutput(shape, 'float32'));
  if (outShapes.some((shape) => tf.util.sizeFromShape(shape) === 0)) return outs;
  const feeds = inputs.map((t) => ({ data: backend.typedArrayFromHeap(t) as Float32Array, dims: t.shape }));
  runCompiledOp(op, feeds, outs.map((o, i) => ({ data: backend.typedArrayFromHeap(o) as Float32Array, dims: outShapes[i] })));
  return outs;
}

function geometryOf(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  return {
    batchSize: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padInfo: { top: info.padInfo.top, bottom: info.padInfo.bottom, left: info.padInfo.left, right: info.padInfo.right },
  };
}

function geometryKey(g: ConvGeometry): string {
  const p = g.padInfo;
  return [g.batchSize, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, g.outChannels, g.filterHeight, g.filterWidth,
    g.strideHeight, g.strideWidth, g.dilationHeight, g.dilationWidth, p.top, p.bottom, p.left, p.right].join(',');
}

function convInfo(xShape: number[], filterShape: number[], attrs: Attrs, depthwise = false): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs['strides'] as [number, number],
    (attrs['dilations'] as [number, number] | undefined) ?? 1,
    attrs['pad'] as 'same',
    attrs['dimRoundingMode'] as 'floor' | undefined,
    depthwise,
    'channelsLast',
  );
}

/** The wasm kernel a case falls back to when onnxruntime is not used (non-float data, NCHW, …). */
export type Fallbacks = Map<string, tf.KernelFunc>;

function fallback(fallbacks: Fallbacks, name: string, args: KernelArgs): TensorInfo {
  const f = fallbacks.get(name);
  if (!f) throw new ZlsError(`wasm-ort: ${name} with these arguments is not supported and the wasm backend has no ${name} kernel`);
  return f(args as unknown as Parameters<tf.KernelFunc>[0]) as TensorInfo;
}

function epilogueOf(inputs: KernelArgs['inputs'], attrs: Attrs): Epilogue | null {
  const activation = (attrs['activation'] as FusedActivation | undefined) ?? 'linear';
  if (!ORT_ACTIVATIONS.has(activation)) return null;
  const bias = inputs['bias'];
  const prelu = inputs['preluActivationWeights'];
  return {
    bias: bias ? { dims: bias.shape } : null,
    activation,
    leakyreluAlpha: attrs['leakyreluAlpha'] as number | undefined,
    preluDims: prelu?.shape,
  };
}

function epilogueKey(e: Epilogue | undefined): string {
  if (!e) return '';
  return `|${e.activation}|${e.bias ? e.bias.dims.join('x') : '-'}|${e.leakyreluAlpha ?? ''}|${e.preluDims?.join('x') ?? ''}`;
}

function epilogueInputs(inputs: KernelArgs['inputs'], e: Epilogue | undefined): TensorInfo[] {
  if (!e) return [];
  const extra: TensorInfo[] = [];
  if (e.bias) extra.push(inputs['bias'] as TensorInfo);
  if (e.activation === 'prelu') extra.push(inputs['preluActivationWeights'] as TensorInfo);
  return extra;
}

/**
 * Patches + matrix product beat onnxruntime's NCHW Conv (with its two layout transposes) for dilated
 * filters, filters with taps that only read padding, and 1×1 filters; measured in bench/engine.
 */
function preferIm2col(g: ConvGeometry): boolean {
  const taps = g.filterHeight * g.filterWidth;
  return g.dilationHeight > 1 || g.dilationWidth > 1 || taps === 1 || liveTaps(g).length < taps;
}

/**
 * Geometry of the stride-1 convolution that computes dx from dy: input dy, output dx, the same filter
 * flipped, padding d(k−1) − p on each side. Channels stay the forward conv's, as buildIm2colConv's flipSwap
 * mode expects. Null where that padding would be negative.
 */
function inputGradGeometry(g: ConvGeometry): ConvGeometry | null {
  const eh = g.dilationHeight * (g.filterHeight - 1);
  const ew = g.dilationWidth * (g.filterWidth - 1);
  const p = g.padInfo;
  const padInfo = { top: eh - p.top, bottom: eh - p.bottom, left: ew - p.left, right: ew - p.right };
  if (Object.values(padInfo).some((v) => v < 0)) return null;
  return { ...g, inHeight: g.outHeight, inWidth: g.outWidth, outHeight: g.inHeight, outWidth: g.inWidth, padInfo };
}

function conv2DImpl(kernelName: string, args: KernelArgs, fallbacks: Fallbacks, withEpilogue: boolean): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs['x'] as TensorInfo;
  const filter = inputs['filter'] as TensorInfo;
  const epilogue = withEpilogue ? epilogueOf(inputs, attrs) : undefined;
  if (attrs['dataFormat'] === 'NCHW' || epilogue === null || !allFloat32(x, filter, inputs['bias'], inputs['preluActivationWeights'])) {
    return fallback(fallbacks, kernelName, args);
  }
  const g = geometryOf(convInfo(x.shape, filter.shape, attrs));
  const extra = epilogueInputs(inputs, epilogue);
  const im2col = preferIm2col(g);
  const key = `Conv2D|${geometryKey(g)}${epilogueKey(epilogue)}|${im2col}`;
  const build = im2col ? (b: OnnxGraphBuilder) => buildIm2colConv(b, g, false, epilogue) : (b: OnnxGraphBuilder) => buildConv2D(b, g, epilogue);
  return runIntoHeap(backend, key, build, [x, filter, ...extra], [g.batchSize, g.outHeight, g.outWidth, g.outChannels]);
}

export function makeWasmOrtKernels(fallbacks: Fallbacks): { kernelName: string; kernelFunc: tf.KernelFunc }[] {
  const conv2D = (args: KernelArgs) => conv2DImpl(tf.Conv2D, args, fallbacks, false);
  const fusedConv2D = (args: KernelArgs) => conv2DImpl(tf.FusedConv2D, args, fallbacks, true);

  const backpropInput = (args: KernelArgs): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const dy = inputs['dy'] as TensorInfo;
    const filter = inputs['filter'] as TensorInfo;
    if (attrs['dataFormat'] === 'NCHW' || !allFloat32(dy, filter)) return fallback(fallbacks, tf.Conv2DBackpropInput, args);
    // `dilations` is not a tfjs attribute of this kernel; zls' Conv2D gradient passes it on wasm-ort.
    const g = geometryOf(convInfo(attrs['inputShape'] as number[], filter.shape, attrs));
    const outShape = [g.batchSize, g.inHeight, g.inWidth, g.inChannels];
    const flipped = g.strideHeight === 1 && g.strideWidth === 1 ? inputGradGeometry(g) : null;
    if (flipped) {
      return runIntoHeap(backend, `Conv2DBackpropInput|im2col|${geometryKey(flipped)}`, (b) => buildIm2colConv(b, flipped, true), [dy, filter], outShape);
    }
    const key = `Conv2DBackpropInput|${geometryKey(g)}`;
    return runIntoHeap(backend, key, (b) => buildConv2DBackpropInput(b, g), [dy, filter], outShape);
  };

  const backpropFilter = (args: KernelArgs): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const x = inputs['x'] as TensorInfo;
    const dy = inputs['dy'] as TensorInfo;
    if (attrs['dataFormat'] === 'NCHW') throw new ZlsError('wasm-ort: Conv2DBackpropFilter supports NHWC data only');
    if (!allFloat32(x, dy)) throw new ZlsError(`wasm-ort: Conv2DBackpropFilter needs float32 tensors, got ${x.dtype} and ${dy.dtype}`);
    const g = geometryOf(convInfo(x.shape, attrs['filterShape'] as number[], attrs));
    const key = `Conv2DBackpropFilter|${geometryKey(g)}`;
    return runIntoHeap(backend, key, (b) => buildIm2colFilterGrad(b, g), [x, dy], [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels]);
  };

  const matMulImpl = (kernelName: string, args: KernelArgs, withEpilogue: boolean): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const a = inputs['a'] as TensorInfo;
    const b = inputs['b'] as TensorInfo;
    const epilogue = withEpilogue ? epilogueOf(inputs, attrs) : undefined;
    if (epilogue === null || !allFloat32(a, b, inputs['bias'], inputs['preluActivationWeights']) || a.shape.length < 2 || b.shape.length < 2) {
      return fallback(fallbacks, kernelName, args);
    }
    const transposeA = Boolean(attrs['transposeA']);
    const transposeB = Boolean(attrs['transposeB']);
    const m = transposeA ? a.shape[a.shape.length - 1] : a.shape[a.shape.length - 2];
    const n = transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
    const batch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const outShape = [...batch, m, n];
    const key = `MatMul|${a.shape.join('x')}|${b.shape.join('x')}|${transposeA}|${transposeB}${epilogueKey(epilogue)}`;
    return runIntoHeap(
      backend,
      key,
      (g) => buildBatchMatMul(g, a.shape, b.shape, transposeA, transposeB, outShape, epilogue),
      [a, b, ...epilogueInputs(inputs, epilogue)],
      outShape,
    );
  };

  const batchNormForward = (args: KernelArgs): TensorInfo[] => {
    const { inputs, backend, attrs } = args;
    const x = inputs['x'] as TensorInfo;
    const epsilon = attrs['epsilon'] as number;
    const relu = Boolean(attrs['relu']);
    const key = `BatchNorm|${x.shape.join('x')}|${epsilon}|${relu}`;
    const c = x.shape[3];
    return runIntoHeapMulti(backend, key, (b) => buildBatchNormForward(b, x.shape, epsilon, relu), [x, inputs['gamma'] as TensorInfo, inputs['beta'] as TensorInfo], [x.shape, [c], [c]]);
  };

  const batchNormBackward = (args: KernelArgs): TensorInfo[] => {
    const { inputs, backend, attrs } = args;
    const x = inputs['x'] as TensorInfo;
    const epsilon = attrs['epsilon'] as number;
    const relu = Boolean(attrs['relu']);
    const key = `BatchNormGrad|${x.shape.join('x')}|${epsilon}|${relu}`;
    const c = x.shape[3];
    const order = ['x', 'dy', 'y', 'gamma', 'mean', 'variance'].map((n) => inputs[n] as TensorInfo);
    return runIntoHeapMulti(backend, key, (b) => buildBatchNormBackward(b, x.shape, epsilon, relu), order, [x.shape, [c], [c]]);
  };

  const crossEntropy = (args: KernelArgs): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const logits = inputs['logits'] as TensorInfo;
    const [rows, classes] = logits.shape;
    const ignore = attrs['ignoreIndex'] as number;
    const key = `CrossEntropy|${rows}|${classes}|${ignore}`;
    return runIntoHeap(backend, key, (b) => buildCrossEntropyForward(b, rows, classes, ignore), [logits, inputs['labels'] as TensorInfo], []);
  };

  const crossEntropyGrad = (args: KernelArgs): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const logits = inputs['logits'] as TensorInfo;
    const [rows, classes] = logits.shape;
    const ignore = attrs['ignoreIndex'] as number;
    const key = `CrossEntropyGrad|${rows}|${classes}|${ignore}`;
    const order = [logits, inputs['labels'] as TensorInfo, inputs['dloss'] as TensorInfo];
    return runIntoHeap(backend, key, (b) => buildCrossEntropyBackward(b, rows, classes, ignore), order, [rows, classes]);
  };

  const depthwiseInput = (args: KernelArgs): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const dy = inputs['dy'] as TensorInfo;
    const filter = inputs['filter'] as TensorInfo;
    if (!allFloat32(dy, filter)) throw new ZlsError(`wasm-ort: DepthwiseConv2dNativeBackpropInput needs float32 tensors, got ${dy.dtype} and ${filter.dtype}`);
    const g = geometryOf(convInfo(attrs['inputShape'] as number[], filter.shape, attrs, true));
    const key = `DepthwiseBackpropInput|${geometryKey(g)}`;
    return runIntoHeap(backend, key, (b) => buildDepthwiseBackpropInput(b, g), [dy, filter], [g.batchSize, g.inHeight, g.inWidth, g.inChannels]);
  };

  const depthwiseFilter = (args: KernelArgs): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const x = inputs['x'] as TensorInfo;
    const dy = inputs['dy'] as TensorInfo;
    if (!allFloat32(x, dy)) throw new ZlsError(`wasm-ort: DepthwiseConv2dNativeBackpropFilter needs float32 tensors, got ${x.dtype} and ${dy.dtype}`);
    const filterShape = attrs['filterShape'] as number[];
    const g = geometryOf(convInfo(x.shape, filterShape, attrs, true));
    const key = `DepthwiseBackpropFilter|${geometryKey(g)}`;
    return runIntoHeap(backend, key, (b) => buildDepthwiseBackpropFilter(b, g), [x, dy], filterShape);
  };

  const wrap = (f: (args: KernelArgs) => TensorInfo | TensorInfo[]) => f as unknown as tf.KernelFunc;
  return [
    { kernelName: tf.Conv2D, kernelFunc: wrap(conv2D) },
    { kernelName: tf.FusedConv2D, kernelFunc: wrap(fusedConv2D) },
    { kernelName: tf.Conv2DBackpropInput, kernelFunc: wrap(backpropInput) },
    { kernelName: tf.Conv2DBackpropFilter, kernelFunc: wrap(backpropFilter) },
    { kernelName: tf.BatchMatMul, kernelFunc: wrap((args) => matMulImpl(tf.BatchMatMul, args, false)) },
    { kernelName: tf._FusedMatMul, kernelFunc: wrap((args) => matMulImpl(tf._FusedMatMul, args, true)) },
    { kernelName: BATCH_NORM_TRAIN, kernelFunc: wrap(batchNormForward) },
    { kernelName: BATCH_NORM_TRAIN_GRAD, kernelFunc: wrap(batchNormBackward) },
    { kernelName: SOFTMAX_CROSS_ENTROPY, kernelFunc: wrap(crossEntropy) },
    { kernelName: SOFTMAX_CROSS_ENTROPY_GRAD, kernelFunc: wrap(crossEntropyGrad) },
    { kernelName: tf.DepthwiseConv2dNativeBackpropInput, kernelFunc: wrap(depthwiseInput) },
    { kernelName: tf.DepthwiseConv2dNativeBackpropFilter, kernelFunc: wrap(depthwiseFilter) },
    { kernelName: tf.UnsortedSegmentSum, kernelFunc: wrap(unsortedSegmentSum) },
  ];
}
