import { IGNORE_INDEX, type DatasetFamily, type LabelMap, type SegDataset, type SegSample } from '@zls/core';

export interface DatasetContractOptions {
  /** Builds the dataset with its protocol's default options (as a config naming only its type and folder would). */
  build: () => SegDataset | Promise<SegDataset>;
  /** The dataset's registered family, built with the default options. */
  family: () => DatasetFamily;
  /** The folder and split `build` reads, for a family that reads files: its lists and sample files must agree. */
  files?: { root: string; split: string };
  /** How many samples to read (default 3, fewer when the split is smaller). */
  samples?: number;
  /** True when the split masks unseen classes in its targets (a training split). */
  masksUnseen?: boolean;
}

function labelValues(map: LabelMap): Set<number> {
  return new Set(map.data);
}

/**
 * The checks every dataset must pass (built-ins and plugins alike): a consistent class space with normalised
 * embeddings, unique ids, samples whose image and label maps agree in size and hold only output indices or 255,
 * deterministic reads, a clear error outside the split, and a family that describes the same class space, label
 * values and (for files on disk) the same lists and samples.
 */
export function describeDatasetContract(name: string, options: DatasetContractOptions): void {
  describe(`dataset contract: ${name}`, () => {
    let dataset: SegDataset;
    let family: DatasetFamily;
    let samples: SegSample[];
    beforeAll(async () => {
      dataset = await options.build();
      family = options.family();
      const n = Math.min(options.samples ?? 3, dataset.ids.length);
      samples = await Promise.all(Array.from({ length: n }, (_, i) => dataset.get(i)));
    });

    it('has a name, a split and unique ids', () => {
      expect(dataset.name).toEqual(expect.any(String));
      expect(dataset.split).toEqual(expect.any(String));
      expect(dataset.ids.length).toBeGreaterThan(0);
      expect(new Set(dataset.ids).size).toBe(dataset.ids.length);
    });

    it('has a class space whose indices, roles, label ids and embedding rows agree', () => {
      const space = dataset.classSpace;
      expect(space.classes.map((c) => c.index)).toEqual(Array.from({ length: space.numClasses }, (_, i) => i));
      expect(space.seenIndices).toEqual(space.classes.filter((c) => c.role === 'seen').map((c) => c.index));
      expect(space.unseenIndices).toEqual(space.classes.filter((c) => c.role === 'unseen').map((c) => c.index));
      expect(space.seenIndices.length).toBeGreaterThan(0);
      for (const c of space.classes) {
        expect(space.outputIndexOf(c.labelId)).toBe(c.index);
        expect(space.labelIdOf(c.index)).toBe(c.labelId);
      }
      expect(space.outputIndexOf(IGNORE_INDEX)).toBe(IGNORE_INDEX);
      expect(space.embeddings.length).toBe(space.numClasses * space.embeddingDim);
      for (let i = 0; i < space.numClasses; i++) {
        const row = space.embeddings.subarray(i * space.embeddingDim, (i + 1) * space.embeddingDim);
        expect(Math.hypot(...row)).toBeCloseTo(1, 4);
      }
    });

    it('gives samples whose image and label maps agree and hold only output indices or 255', () => {
      const { numClasses, unseenIndices } = dataset.classSpace;
      samples.forEach((s, i) => {
        expect(s.id).toBe(dataset.ids[i]);
        const { height, width, channels } = s.image;
        expect(s.image.data.length).toBe(height * width * channels);
        for (const map of [s.target, s.hidden]) {
          expect([map.height, map.width, map.data.length]).toEqual([height, width, height * width]);
          for (const v of labelValues(map)) expect(v === IGNORE_INDEX || v < numClasses).toBe(true);
        }
        if (options.masksUnseen) for (const u of unseenIndices) expect(labelValues(s.target).has(u)).toBe(false);
      });
    });

    it('reads the same sample twice alike, and refuses an index outside the split', async () => {
      const again = await dataset.get(0);
      expect(Buffer.from(again.image.data.buffer).equals(Buffer.from(samples[0].image.data.buffer))).toBe(true);
      expect([...again.hidden.data]).toEqual([...samples[0].hidden.data]);
      await expect(dataset.get(dataset.ids.length)).rejects.toThrow(/index/);
    });

    it('has a family with the same default class space and every label value it uses', () => {
      const { space, datasetLabelIds } = family.labels;
      expect(space.classes).toEqual(dataset.classSpace.classes);
      expect(space.embeddingDim).toBe(dataset.classSpace.embeddingDim);
      expect(datasetLabelIds).not.toContain(IGNORE_INDEX);
      for (const c of space.classes) expect(datasetLabelIds).toContain(c.labelId);
      if (family.backgroundLabelId !== undefined) expect(datasetLabelIds).toContain(family.backgroundLabelId);
      expect(new Set(family.embeddings).size).toBe(family.embeddings.length);
    });

    if (options.files) {
      const { root, split } = options.files;
      it(`lists split "${split}" and its samples as the dataset reads them`, () => {
        expect(family.lists).toBeDefined();
        expect(family.sampleFiles).toBeDefined();
        const listed = family.lists?.(root).find((l) => l.name === split);
        expect(listed?.images).toBe(dataset.ids.length);
        expect(family.sampleFiles?.(root, split).map((f) => f.id)).toEqual(dataset.ids);
      });
    }
  });
}
