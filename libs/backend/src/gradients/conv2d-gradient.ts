import * as tf from '@tensorflow/tfjs';
import { ZlsError } from '@zls/core';

type Pair = [number, number];
type PadAttr = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

/**
 * Backends whose Conv2DBackpropInput / Conv2DBackpropFilter kernels also read a `dilations` attribute
 * (tfjs' own kernels ignore it). wasm-ort adds itself when registered.
 */
export const backendsWithDilatedConvBackprop = new Set<string>();

function pair(v: number | Pair | undefined): Pair {
  if (v === undefined) return [1, 1];
  return typeof v === 'number' ? [v, v] : v;
}

/**
 * Gradient of Conv2D for every backend, including dilation > 1 (which tfjs-core refuses; ASPP needs it).
 * Undilated, or on a backend whose backprop kernels take dilations: the backend's Conv2DBackpropInput /
 * Conv2DBackpropFilter kernels. Otherwise, dilated (stride 1, as
 * tfjs requires), with k' = d(k−1)+1 and pads (pt, pb, pl, pr):
 *   dx = conv2d(dy, W flipped spatially with in/out swapped, dilation d, pads (k'−1−pt, k'−1−pb, …));
 *   dW = conv2d(x as [Cin,H,W,N], dy as [OH,OW,N,Cout], stride d, pads (pt, pb, …)) as [kh,kw,Cin,Cout].
 */
export const conv2DGradConfig: tf.GradConfig = {
  kernelName: tf.Conv2D,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const g = dy as tf.Tensor4D;
    const strides = pair(attrs['strides'] as number | Pair);
    const dilations = pair(attrs['dilations'] as number | Pair | undefined);
    const pad = attrs['pad'] as PadAttr;
    const dataFormat = (attrs['dataFormat'] as 'NHWC' | 'NCHW' | undefined) ?? 'NHWC';
    const dimRoundingMode = attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined;
    if (dataFormat !== 'NHWC') throw new ZlsError(`Conv2D gradient: only NHWC data is supported, got ${dataFormat}`);
    if ((dilations[0] === 1 && dilations[1] === 1) || backendsWithDilatedConvBackprop.has(tf.getBackend())) {
      const common = { strides, pad, dataFormat, dimRoundingMode, dilations };
      return {
        x: () => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: g, filter }, { ...common, inputShape: x.shape } as unknown as tf.NamedAttrMap) as tf.Tensor,
        filter: () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: g }, { ...common, filterShape: filter.shape } as unknown as tf.NamedAttrMap) as tf.Tensor,
      };
    }
    if (strides[0] !== 1 || strides[1] !== 1) {
      throw new ZlsError(`Conv2D gradient: dilations [${dilations}] need strides 1, got [${strides}]`);
    }
    const info = tf.backend_util.computeConv2DInfo(x.shape, filter.shape, strides, dilations, pad, dimRoundingMode, false, 'channelsLast');
    return {
      x: () => dilatedConvInputGrad(g, filter, info),
      filter: () => dilatedConvFilterGrad(x, g, info),
    };
  },
};

function dilatedConvInputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const p = info.padInfo;
  const kh = info.effectiveFilterHeight;
  const kw = info.effectiveFilterWidth;
  const pads: Pair[] = [[kh - 1 - p.top, kh - 1 - p.bottom], [kw - 1 - p.left, kw - 1 - p.right]];
  if (pads.flat().some((v) => v < 0)) {
    throw new ZlsError(`Conv2D gradient: padding (${p.top},${p.bottom},${p.left},${p.right}) exceeds the dilated kernel (${kh}×${kw})`);
  }
  return tf.tidy(() => {
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    return tf.conv2d(dy, flipped, 1, [[0, 0], pads[0], pads[1], [0, 0]], 'NHWC', [info.dilationHeight, info.dilationWidth]);
  });
}

function dilatedConvFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  const p = info.padInfo;
  return tf.tidy(() => {
    const xt = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D; // [Cin, H, W, N]
    const dyt = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [OH, OW, N, Cout]
    let dw = tf.conv2d(xt, dyt, [info.dilationHeight, info.dilationWidth], [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]]);
    if (dw.shape[1] !== info.filterHeight || dw.shape[2] !== info.filterWidth) {
      dw = tf.slice(dw, [0, 0, 0, 0], [-1, info.filterHeight, info.filterWidth, -1]);
    }
    return tf.transpose(dw, [1, 2, 0, 3]) as tf.Tensor4D; // [kh, kw, Cin, Cout]
  });
}
