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
