/**
 * Source index of each of `dst` cells when `src` labels are resized nearest to `dst`, as OpenCV's
 * INTER_NEAREST does it (the reference's `resize_target`, method.md §3): floor(i · (1 / (dst / src))), clamped
 * to the last source index. The factor is written as OpenCV computes it (the reciprocal of dst / src), so
 * products that land on an integer round the same way.
 */
export function nearestLabelIndices(src: number, dst: number): number[] {
  if (!Number.isInteger(src) || !Number.isInteger(dst) || src < 1 || dst < 1) throw new Error(`nearest label grid: sizes ${src} → ${dst} must be positive integers`);
  const inverse = 1 / (dst / src);
  return Array.from({ length: dst }, (_, i) => Math.min(Math.floor(i * inverse), src - 1));
}

/**
 * Labels [N, H, W] (row-major, any integer values: class positions with −1 for ignore, or label ids) resized
 * nearest to [N, h, w] with nearestLabelIndices on each axis.
 */
export function resizeLabelsNearest(labels: Int32Array, shape: readonly [number, number, number], size: readonly [number, number]): Int32Array {
  const [n, h, w] = shape;
  const [oh, ow] = size;
  if (labels.length !== n * h * w) throw new Error(`nearest label grid: ${labels.length} labels for [${shape}]`);
  if (oh === h && ow === w) return labels;
  const rows = nearestLabelIndices(h, oh);
  const cols = nearestLabelIndices(w, ow);
  const out = new Int32Array(n * oh * ow);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++) {
      const from = (b * h + rows[i]) * w;
      const to = (b * oh + i) * ow;
      for (let j = 0; j < ow; j++) out[to + j] = labels[from + cols[j]];
    }
  return out;
}
