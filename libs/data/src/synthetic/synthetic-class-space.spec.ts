import { syntheticClassSpace } from './synthetic-class-space';
import { UNSEEN_LABEL_IDS } from './synthetic-recipe';

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot;
}

describe('syntheticClassSpace', () => {
  it('orders seen classes by label id, then unseen by label id', () => {
    const space = syntheticClassSpace();
    const seen = Array.from({ length: 20 }, (_, i) => i).filter((i) => !UNSEEN_LABEL_IDS.includes(i));
    expect(space.classes.map((c) => c.labelId)).toEqual([...seen, ...UNSEEN_LABEL_IDS]);
    expect(space.unseenIndices).toEqual([15, 16, 17, 18, 19]);
    expect(space.classes[15].name).toBe('red circle');
    expect(space.classes[19].name).toBe('green star');
    expect(space.backgroundIsClass).toBe(false);
    expect(space.outputIndexOf(20)).toBe(255);
  });

  it('puts background first in class mode', () => {
    const space = syntheticClassSpace({ background: 'class' });
    expect(space.numClasses).toBe(21);
    expect(space.classes[0]).toMatchObject({ labelId: 20, name: 'background', role: 'seen' });
    expect(space.unseenIndices).toEqual([16, 17, 18, 19, 20]);
  });

  it('with σ = 0 has exactly the attribute geometry: cos = 1/2 for one shared attribute, 0 for none', () => {
    const space = syntheticClassSpace({ sigma: 0, background: 'class' });
    const row = (labelId: number) => space.embeddingOf(space.outputIndexOf(labelId));
    expect(cosine(row(0), row(1))).toBeCloseTo(0.5, 5); // red and green circle: same shape
    expect(cosine(row(0), row(4))).toBeCloseTo(0.5, 5); // red circle, red square: same colour
    expect(cosine(row(0), row(5))).toBeCloseTo(0, 5); // nothing shared
    expect(cosine(row(0), row(20))).toBeCloseTo(0, 5); // background is orthogonal to every object
    expect(cosine(row(6), row(6))).toBeCloseTo(1, 5);
  });

  it('adds noise of the requested strength: clean vs noisy cosine ≈ 1/√(1+σ²) ≈ 0.7 at σ = 1', () => {
    const clean = syntheticClassSpace({ sigma: 0, seed: 5 });
    const noisy = syntheticClassSpace({ sigma: 1, seed: 5 });
    let mean = 0;
    for (let i = 0; i < 20; i++) mean += cosine(clean.embeddingOf(i), noisy.embeddingOf(i)) / 20;
    expect(mean).toBeGreaterThan(0.62);
    expect(mean).toBeLessThan(0.78);
  });

  it('is deterministic in the seed and differs between seeds', () => {
    expect(syntheticClassSpace({ seed: 2 }).embeddings).toEqual(syntheticClassSpace({ seed: 2 }).embeddings);
    expect(syntheticClassSpace({ seed: 2 }).embeddings).not.toEqual(syntheticClassSpace({ seed: 3 }).embeddings);
    // Background's noise is drawn last, so object rows do not depend on the background mode.
    const a = syntheticClassSpace({ seed: 2 });
    const b = syntheticClassSpace({ seed: 2, background: 'class' });
    expect(b.embeddingOf(b.outputIndexOf(7))).toEqual(a.embeddingOf(a.outputIndexOf(7)));
  });
});
