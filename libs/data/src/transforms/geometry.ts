import { IGNORE_INDEX, type ImageBuffer, type LabelMap, type SegSample } from '@zls/core';

/** Applies one geometric operation to the image and, as a label operation, to target and hidden alike. */
export function mapGeometry(
  sample: SegSample,
  onImage: (image: ImageBuffer) => ImageBuffer,
  onLabel: (label: LabelMap) => LabelMap,
): SegSample {
  return { id: sample.id, image: onImage(sample.image), target: onLabel(sample.target), hidden: onLabel(sample.hidden) };
}

/**
 * Whether pixels are bytes (uint8) rather than float32. Decided by element size, not instanceof: a Buffer or an
 * array made in another realm (a worker, jest's sandbox) is still a byte image.
 */
export function isByteImage(data: Uint8Array | Float32Array): boolean {
  return data.BYTES_PER_ELEMENT === 1;
}

export function emptyLike(data: Uint8Array | Float32Array, length: number): Uint8Array | Float32Array {
  return isByteImage(data) ? new Uint8Array(length) : new Float32Array(length);
}

export function flipImage(image: ImageBuffer): ImageBuffer {
  const { height: H, width: W, channels: C, data } = image;
  const out = emptyLike(data, data.length);
  for (let y = 0; y < H; y++) {
    const row = y * W * C;
    for (let x = 0; x < W; x++) {
      const s = row + x * C;
      const d = row + (W - 1 - x) * C;
      for (let c = 0; c < C; c++) out[d + c] = data[s + c];
    }
  }
  return { data: out, height: H, width: W, channels: C };
}

export function flipLabel(label: LabelMap): LabelMap {
  const { height: H, width: W, data } = label;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < H; y++) {
    const row = y * W;
    for (let x = 0; x < W; x++) out[row + W - 1 - x] = data[row + x];
  }
  return { data: out, height: H, width: W };
}

/** Region [top, top + height) × [left, left + width); must lie inside the image. */
export function cropImage(image: ImageBuffer, top: number, left: number, height: number, width: number): ImageBuffer {
  const { width: W, channels: C, data } = image;
  const out = emptyLike(data, height * width * C);
  for (let y = 0; y < height; y++) {
    const start = ((top + y) * W + left) * C;
    out.set(data.subarray(start, start + width * C), y * width * C);
  }
  return { data: out, height, width, channels: C };
}

export function cropLabel(label: LabelMap, top: number, left: number, height: number, width: number): LabelMap {
  const out = new Uint8Array(height * width);
  for (let y = 0; y < height; y++) {
    const start = (top + y) * label.width + left;
    out.set(label.data.subarray(start, start + width), y * width);
  }
  return { data: out, height, width };
}

/** Pads at the bottom and right (as the reference code does) up to height × width with `value`. */
export function padImage(image: ImageBuffer, height: number, width: number, value: number): ImageBuffer {
  const { height: H, width: W, channels: C, data } = image;
  const out = emptyLike(data, height * width * C);
  if (value !== 0) out.fill(value);
  for (let y = 0; y < H; y++) out.set(data.subarray(y * W * C, (y + 1) * W * C), y * width * C);
  return { data: out, height, width, channels: C };
}

export function padLabel(label: LabelMap, height: number, width: number, value = IGNORE_INDEX): LabelMap {
  const { height: H, width: W, data } = label;
  const out = new Uint8Array(height * width).fill(value);
  for (let y = 0; y < H; y++) out.set(data.subarray(y * W, (y + 1) * W), y * width);
  return { data: out, height, width };
}
