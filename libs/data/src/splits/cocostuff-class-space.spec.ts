import { IGNORE_INDEX } from '@zls/core';
import { cocostuffClassSpace } from './cocostuff-class-space';

// 0-based PNG values of the thing ids COCO-Stuff never annotates (method.md §2.3).
const NEVER_ANNOTATED = [11, 25, 28, 29, 44, 65, 67, 68, 70, 82, 90];
const UNSEEN = [20, 24, 32, 33, 40, 56, 86, 99, 105, 123, 144, 147, 148, 168, 171];

describe('cocostuffClassSpace', () => {
  it('171 classes: 156 seen + 15 unseen; never-annotated ids read as ignore', () => {
    const { space, datasetLabelIds } = cocostuffClassSpace();
    expect(space.numClasses).toBe(171);
    expect(space.seenIndices).toHaveLength(156);
    expect(space.unseenIndices).toEqual(Array.from({ length: 15 }, (_, i) => 156 + i));
    expect(space.unseenIndices.map((i) => space.labelIdOf(i))).toEqual(UNSEEN);
    for (const id of NEVER_ANNOTATED) expect(space.outputIndexOf(id)).toBe(IGNORE_INDEX);
    expect(space.outputIndexOf(255)).toBe(IGNORE_INDEX);
    // Every annotated value 0..181 has exactly one output channel.
    const indices = new Set(Array.from({ length: 182 }, (_, id) => space.outputIndexOf(id)).filter((i) => i !== IGNORE_INDEX));
    expect(indices.size).toBe(171);
    expect(datasetLabelIds).toHaveLength(182);
    expect(space.classes[space.outputIndexOf(168)].name).toBe('tree');
    expect(space.classes[space.outputIndexOf(156)].name).toBe('sky-other');
    expect(space.classes[space.outputIndexOf(156)].role).toBe('seen');
    expect(space.embeddingDim).toBe(600);
  });

  it("'keep' reproduces the reference code's 182 channels: index 155 = motorcycle (3), 167 = cow (20)", () => {
    const { space } = cocostuffClassSpace({ neverAnnotated: 'keep' });
    expect(space.numClasses).toBe(182);
    expect(space.labelIdOf(155)).toBe(3);
    expect(space.labelIdOf(167)).toBe(20);
    expect(space.seenIndices).toHaveLength(167);
  });
});
