import { datasetClassSpace } from './dataset-class-space';

describe('datasetClassSpace', () => {
  it('gives each dataset its default class space', () => {
    expect(datasetClassSpace('voc12').numClasses).toBe(20);
    expect(datasetClassSpace('voc12', { background: 'class' }).backgroundIndex).toBe(0);
    expect(datasetClassSpace('cocostuff').numClasses).toBe(171);
    const synthetic = datasetClassSpace('synthetic');
    expect(synthetic.seenIndices.length + synthetic.unseenIndices.length).toBe(synthetic.numClasses);
    expect(synthetic.unseenIndices).toHaveLength(5);
  });

  it('rejects an unknown dataset and background as a COCO-Stuff class', () => {
    expect(() => datasetClassSpace('ade20k')).toThrow('unknown dataset "ade20k"; expected one of cocostuff, synthetic, voc12');
    expect(() => datasetClassSpace('cocostuff', { background: 'class' })).toThrow(/no background class/);
  });
});
