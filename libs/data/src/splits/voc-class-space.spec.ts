import { IGNORE_INDEX } from '@zls/core';
import { classEmbeddings } from '../embeddings/class-embeddings';
import { vocDatasetClasses } from './dataset-classes';
import { vocClassSpace } from './voc-class-space';

describe('vocClassSpace', () => {
  it('SPNet/STRICT default: 20 classes in order seen (1..12), seen-val (13..15), unseen (16..20); background ignored', () => {
    const { space, datasetLabelIds } = vocClassSpace();
    expect(space.numClasses).toBe(20);
    expect(space.name).toBe('voc12-spnet-15-5');
    expect(space.classes.map((c) => c.labelId)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(space.seenIndices).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(space.unseenIndices).toEqual([15, 16, 17, 18, 19]);
    expect(space.unseenIndices.map((i) => space.classes[i].name)).toEqual(['pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor']);
    expect(space.outputIndexOf(0)).toBe(IGNORE_INDEX);
    expect(space.outputIndexOf(255)).toBe(IGNORE_INDEX);
    expect(space.backgroundIsClass).toBe(false);
    expect(space.embeddingDim).toBe(600);
    expect(datasetLabelIds).toEqual(Array.from({ length: 21 }, (_, i) => i));
  });

  it('bkg mode: background is seen class 0, so output index = VOC label id', () => {
    const { space } = vocClassSpace({ background: 'class' });
    expect(space.numClasses).toBe(21);
    expect(space.backgroundIndex).toBe(0);
    for (let id = 0; id <= 20; id++) expect(space.outputIndexOf(id)).toBe(id);
    expect(space.seenIndices).toHaveLength(16);
    expect(space.name).toBe('voc12-spnet-15-5-bkg');
  });

  it('keeps each class embedding with its class in output order', () => {
    const { space } = vocClassSpace();
    const all = vocDatasetClasses();
    const reference = classEmbeddings(all, { dataset: 'voc12', embedding: 'fastnvec' });
    const sheep = space.outputIndexOf(17);
    expect([...space.embeddingOf(sheep)].slice(0, 5)).toEqual([...reference.rows.subarray(17 * 600, 17 * 600 + 5)]);
  });

  // ZS3Net's nested splits (method.md §2.2): cow 10, motorbike 14; + aeroplane 1, sofa 18; + cat 8, tv 20;
  // + train 19, bottle 5; + chair 9, pottedplant 16.
  it.each([
    ['zs3-2', [10, 14]],
    ['zs3-4', [1, 10, 14, 18]],
    ['zs3-6', [1, 8, 10, 14, 18, 20]],
    ['zs3-8', [1, 5, 8, 10, 14, 18, 19, 20]],
    ['zs3-10', [1, 5, 8, 9, 10, 14, 16, 18, 19, 20]],
  ] as const)('%s: 21 classes in label order, unseen label ids %j', (classSplit, unseenIds) => {
    const { space } = vocClassSpace({ classSplit, embedding: 'zs3-word2vec' });
    expect(space.numClasses).toBe(21);
    expect(space.backgroundIndex).toBe(0);
    for (let id = 0; id <= 20; id++) expect(space.outputIndexOf(id)).toBe(id);
    expect(space.unseenIndices.map((i) => space.labelIdOf(i)).sort((a, b) => a - b)).toEqual(unseenIds);
    expect(space.seenIndices).toHaveLength(21 - unseenIds.length);
    expect(space.embeddingDim).toBe(300);
  });
});
