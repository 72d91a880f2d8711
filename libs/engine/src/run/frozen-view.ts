import type { SegmentationModel } from '@zls/core';

/**
 * Runs a frozen pass (evaluation, labelling) on the model's whole-graph inference view when graph engines are
 * on and the model has one, else on the model itself; the view is freed afterwards.
 */
export async function withFrozenView<T>(model: SegmentationModel, threads: number | undefined, pass: (m: SegmentationModel) => Promise<T>): Promise<T> {
  const view = threads ? model.frozenView?.(threads) : undefined;
  try {
    return await pass(view ?? model);
  } finally {
    view?.dispose();
  }
}

/**
 * Runs an evaluation pass of SPNet's supervised model (`supervised`) on its multi-scale test view where it has
 * one (a multi-scale SPNet is scored on the max over its scales, as the reference's eval.py scores it), else on
 * the model; students, ZS3Net and labelling passes score single-scale.
 */
export async function withTestView<T>(model: SegmentationModel, supervised: boolean, pass: (m: SegmentationModel) => Promise<T>): Promise<T> {
  const view = supervised ? model.multiScaleTestView?.() : undefined;
  try {
    return await pass(view ?? model);
  } finally {
    view?.dispose();
  }
}
