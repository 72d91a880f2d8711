import type { ImageBuffer } from '@zls/core';
import { isByteImage } from './geometry';

/** Per output position along one axis: the two source indices (pre-multiplied by `stride`) and the far weight. */
interface Taps {
  lo: Int32Array;
  hi: Int32Array;
  w: Float32Array;
}

/**
 * Half-pixel-centre convention (OpenCV INTER_LINEAR, PyTorch align_corners=false): output pixel d samples the
 * source at s = (d + 0.5)·in/out − 0.5, clamped to [0, in − 1]. Taps for output positions first..first+count−1,
 * minus `offset` when the source buffer starts inside the image.
 */
function bilinearTaps(inSize: number, outSize: number, stride: number, first: number, count: number, offset = 0): Taps {
  const lo = new Int32Array(count);
  const hi = new Int32Array(count);
  const w = new Float32Array(count);
  const scale = inSize / outSize;
  for (let k = 0; k < count; k++) {
    const s = Math.min(inSize - 1, Math.max(0, (first + k + 0.5) * scale - 0.5));
    const i0 = Math.floor(s);
    const i1 = Math.min(inSize - 1, i0 + 1);
    lo[k] = i0 * stride - offset;
    hi[k] = i1 * stride - offset;
    w[k] = s - i0;
  }
  return { lo, hi, w };
}

type Pixels = Uint8Array | Float32Array;

/**
 * Bilinear resize of an HWC image (no antialiasing, like cv2.resize with INTER_LINEAR, which the reference code
 * uses). A uint8 image comes back as uint8, rounded to nearest; a float32 image as float32.
 */
export function resizeBilinear(image: ImageBuffer, outH: number, outW: number): ImageBuffer {
  return resizeBilinearWindow(image, outH, outW, { top: 0, left: 0, height: outH, width: outW }, 0);
}

/** A rectangle of an image that may reach past its bottom/right edge (those pixels are filled). */
export interface Window {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}

/**
 * Says that an image buffer holds only rows top.. and columns left.. of a fullHeight × fullWidth image: enough
 * for a window whose source span (bilinearSpan) it covers.
 */
export interface SourceRegion {
  readonly top: number;
  readonly left: number;
  readonly fullHeight: number;
  readonly fullWidth: number;
}

/** First and last source index (inclusive) that output positions first..first+count−1 read; count ≥ 1. */
export function bilinearSpan(inSize: number, outSize: number, first: number, count: number): [number, number] {
  const taps = bilinearTaps(inSize, outSize, 1, first, count);
  return [taps.lo[0], taps.hi[count - 1]];
}

/**
 * The `window` of the image resized to outH × outW, without computing the rest: what a random crop keeps of a
 * scaled (and padded) image. Pixels of the window beyond outH × outW get `fill`, as bottom/right padding would.
 *
 * Separable: each source row needed is interpolated horizontally once into a float row buffer (consecutive
 * output rows mostly share their two source rows), then output rows blend two such buffers.
 */
export function resizeBilinearWindow(
  image: ImageBuffer,
  outH: number,
  outW: number,
  window: Window,
  fill: number,
  region?: SourceRegion,
): ImageBuffer {
  const { channels: C, data: src } = image;
  const inH = region?.fullHeight ?? image.height;
  const inW = region?.fullWidth ?? image.width;
  const stride = image.width * C;
  if (!(outH >= 1 && outW >= 1 && Number.isInteger(outH) && Number.isInteger(outW))) {
    throw new Error(`resizeBilinear: output size ${outH}×${outW} must be positive integers`);
  }
  const { top, left, height, width } = window;
  // Only the columns of the window that fall inside the resized image are interpolated.
  const cols = Math.max(0, Math.min(width, outW - left));
  const rows = Math.max(0, Math.min(height, outH - top));
  const xs = bilinearTaps(inW, outW, C, left, cols, (region?.left ?? 0) * C);
  const ys = bilinearTaps(inH, outH, 1, top, rows, region?.top ?? 0);
  const rowLen = cols * C;
  let upper = new Float32Array(rowLen);
  let lower = new Float32Array(rowLen);
  let upperRow = -1;
  let lowerRow = -1;
  const horizontal = C === 3 ? horizontalRgb : horizontalAny;
  const isByte = isByteImage(src);
  const outLen = height * width * C;
  const out: Pixels = isByte ? new Uint8Array(outLen) : new Float32Array(outLen);
  if (fill !== 0 && (rows < height || cols < width)) out.fill(fill);
  for (let y = 0; y < rows; y++) {
    const r0 = ys.lo[y];
    const r1 = ys.hi[y];
    if (upperRow !== r0) {
      if (lowerRow === r0) {
        [upper, lower] = [lower, upper];
        [upperRow, lowerRow] = [lowerRow, upperRow];
      } else {
        horizontal(src, r0 * stride, xs, C, upper);
        upperRow = r0;
      }
    }
    if (lowerRow !== r1) {
      if (r1 === r0) lower.set(upper);
      else horizontal(src, r1 * stride, xs, C, lower);
      lowerRow = r1;
    }
    if (isByte) blendRowsRounded(upper, lower, ys.w[y], out as Uint8Array, y * width * C);
    else blendRows(upper, lower, ys.w[y], out as Float32Array, y * width * C);
  }
  return { data: out, height, width, channels: C };
}

function horizontalRgb(src: Pixels, rowStart: number, xs: Taps, _C: number, dst: Float32Array): void {
  const { lo, hi, w } = xs;
  for (let x = 0, o = 0; x < lo.length; x++, o += 3) {
    const a = rowStart + lo[x];
    const b = rowStart + hi[x];
    const f = w[x];
    const a0 = src[a];
    const a1 = src[a + 1];
    const a2 = src[a + 2];
    dst[o] = a0 + (src[b] - a0) * f;
    dst[o + 1] = a1 + (src[b + 1] - a1) * f;
    dst[o + 2] = a2 + (src[b + 2] - a2) * f;
  }
}

function horizontalAny(src: Pixels, rowStart: number, xs: Taps, C: number, dst: Float32Array): void {
  const { lo, hi, w } = xs;
  for (let x = 0, o = 0; x < lo.length; x++) {
    const a = rowStart + lo[x];
    const b = rowStart + hi[x];
    const f = w[x];
    for (let c = 0; c < C; c++, o++) dst[o] = src[a + c] + (src[b + c] - src[a + c]) * f;
  }
}

function blendRows(upper: Float32Array, lower: Float32Array, f: number, out: Float32Array, start: number): void {
  for (let i = 0; i < upper.length; i++) out[start + i] = upper[i] + (lower[i] - upper[i]) * f;
}

/** Rounds half up: values lie in [0, 255], so adding 0.5 before the uint8 store's truncation rounds exactly. */
function blendRowsRounded(upper: Float32Array, lower: Float32Array, f: number, out: Uint8Array, start: number): void {
  for (let i = 0; i < upper.length; i++) out[start + i] = upper[i] + (lower[i] - upper[i]) * f + 0.5;
}
