import { DataError, IGNORE_INDEX, type LabelMap, type SegDataset, type SegSample } from '@zls/core';
import { resizeNearest } from '../transforms/resize-nearest';

/**
 * A training split whose targets carry a round's pseudo-labels: the human label where one exists, else the
 * pseudo-label, else ignore. Mixed before any transform, so flips, rescales and crops move them with the image.
 * Pseudo-labels of another size than the label map (made on the warped evaluation-size image) are resized to it.
 */
export class WithPseudoLabels implements SegDataset {
  readonly name: string;
  readonly split: string;
  readonly classSpace: SegDataset['classSpace'];
  readonly ids: readonly string[];

  constructor(
    private readonly base: SegDataset,
    private readonly labels: ReadonlyMap<string, LabelMap>,
    private readonly source = 'pseudo-labels',
  ) {
    this.name = base.name;
    this.split = base.split;
    this.classSpace = base.classSpace;
    this.ids = base.ids;
  }

  async get(index: number): Promise<SegSample> {
    const sample = await this.base.get(index);
    const pseudo = this.labels.get(sample.id);
    if (!pseudo) throw new DataError(this.source, `no pseudo-labels for training image ${sample.id}`);
    const { target } = sample;
    if (pseudo.data.length !== pseudo.height * pseudo.width || pseudo.data.length === 0) {
      throw new DataError(this.source, `pseudo-labels of ${sample.id} hold ${pseudo.data.length} values for ${pseudo.width}×${pseudo.height}`);
    }
    // Cached labels come from the training pass at the evaluation transforms' size (the real benchmarks warp
    // every image to 513²): resized nearest back to the label map's own size, where the training transforms start.
    const aligned = pseudo.height === target.height && pseudo.width === target.width ? pseudo : resizeNearest(pseudo, target.height, target.width);
    const data = new Uint8Array(target.data.length);
    for (let p = 0; p < data.length; p++) data[p] = target.data[p] !== IGNORE_INDEX ? target.data[p] : aligned.data[p];
    return { ...sample, target: { data, height: target.height, width: target.width } };
  }
}
