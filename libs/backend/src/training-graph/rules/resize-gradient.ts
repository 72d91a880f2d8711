import { ZlsError } from '@zls/core';
import { bilinearResizeMatrix } from '../../gradients/resize-bilinear';
import type { GradientRule } from '../gradient-context';
import { nearestResizeMatrix } from './nearest-resize-matrix';

/**
 * Resize of the two spatial axes, bilinear or nearest: y = Mh · x · Mwᵀ per image and channel, so
 * dx = Mhᵀ · dy · Mw, two products with constant matrices built from the probed sizes (for nearest, 0/1
 * selections: each input pixel gathers the gradients of the outputs that copied it).
 */
export const resizeGradient: GradientRule = (ctx, node, [dy], needs) => {
  const none = node.inputs.map(() => undefined);
  if (!dy || !needs[0]) return none;
  const mode = (node.attrs['mode'] as string | undefined) ?? 'nearest';
  const transform = (node.attrs['coordinate_transformation_mode'] as string | undefined) ?? 'half_pixel';
  if (mode !== 'linear' && mode !== 'nearest') throw new ZlsError(`training graph: Resize '${node.name}' uses mode '${mode}'; only 'linear' and 'nearest' are differentiated`);
  if (mode === 'linear' && transform !== 'half_pixel' && transform !== 'align_corners') {
    throw new ZlsError(`training graph: Resize '${node.name}' uses '${transform}' coordinates; only half_pixel and align_corners are differentiated`);
  }
  const [n, c, h, w] = ctx.shape(node.inputs[0]);
  const [n2, c2, oh, ow] = ctx.shape(node.outputs[0]);
  if (n !== n2 || c !== c2) throw new ZlsError(`training graph: Resize '${node.name}' changes more than the two spatial axes`);
  const corners = transform === 'align_corners';
  const nearestMode = (node.attrs['nearest_mode'] as string | undefined) ?? 'round_prefer_floor';
  const matrix = (inSize: number, outSize: number) =>
    mode === 'nearest' ? nearestResizeMatrix(inSize, outSize, transform, nearestMode) : bilinearResizeMatrix(inSize, outSize, corners, !corners);
  const mh = matrix(h, oh); // [oh, h]
  const mw = matrix(w, ow); // [ow, w]
  const mhT = new Float32Array(h * oh);
  for (let o = 0; o < oh; o++) for (let i = 0; i < h; i++) mhT[i * oh + o] = mh[o * h + i];
  const rows = ctx.g.op('MatMul', [dy, ctx.constFloat(mw, [ow, w])]); // [n, c, oh, w]
  const dx = ctx.g.op('MatMul', [ctx.constFloat(mhT, [h, oh]), rows]); // [n, c, h, w]
  return [dx, ...none.slice(1)];
};
