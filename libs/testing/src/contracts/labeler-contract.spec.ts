import * as tf from '@tensorflow/tfjs';
import { IGNORE_INDEX, type LabelMap, type PseudoLabeler, type PseudoLabelProposal, type PseudoLabelRequest } from '@zls/core';
import { LABELER_CHECKS, type LabelerContractOptions } from './labeler-contract';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Flaw = 'labels-seen' | 'labels-non-candidates' | 'wrong-shape' | 'invents' | 'random' | 'leaks' | 'disposes-images' | 'claims-per-sample';

/** The generator's argmax over the unseen classes on candidates; can be made to break one property. */
class FakeLabeler implements PseudoLabeler {
  readonly name = 'fake';
  readonly rule = 'unseen argmax';
  readonly selectsPerSample = true;

  constructor(private readonly flaw?: Flaw) {}

  async propose(request: PseudoLabelRequest): Promise<PseudoLabelProposal[]> {
    const { generator, images, targets, unseenIndices } = request;
    const classes = this.flaw === 'labels-seen' ? Array.from({ length: generator.numClasses }, (_, c) => c) : unseenIndices;
    const best = tf.tidy(() => tf.argMax(generator.forward(images, false, classes), 3));
    const positions = (await best.data()) as Int32Array;
    if (this.flaw !== 'leaks') best.dispose();
    if (this.flaw === 'disposes-images') images.dispose();
    const size = targets[0].data.length;
    return targets.map((t, i) => {
      const n = this.flaw === 'wrong-shape' ? size - 1 : size;
      const data = Uint8Array.from({ length: n }, (_, p) => (this.flaw === 'labels-non-candidates' || t.data[p] === IGNORE_INDEX ? classes[positions[i * size + p]] : IGNORE_INDEX));
      const confidence = Float32Array.from({ length: n }, () => (this.flaw === 'random' ? Math.random() : 1));
      return { labels: { data, height: t.height, width: t.width }, confidence };
    });
  }

  select(proposals: readonly PseudoLabelProposal[]): LabelMap[] {
    if (this.flaw === 'invents') return proposals.map((p) => ({ ...p.labels, data: p.labels.data.map((v) => (v === IGNORE_INDEX ? v : v === 1 ? 4 : 1)) }));
    // Keeps only the first proposal's labels: a per-set rule, although the labeller says it selects per sample.
    if (this.flaw === 'claims-per-sample') return proposals.map((p, i) => (i === 0 ? p.labels : { ...p.labels, data: new Uint8Array(p.labels.data.length).fill(IGNORE_INDEX) }));
    return proposals.map((p) => p.labels);
  }
}

const options = (flaw?: Flaw): LabelerContractOptions => ({ build: () => new FakeLabeler(flaw) });

/** A check's failure is an assertion (jest's matcherResult), not a crash of the component or the check. */
const check = (start: string) => {
  const found = LABELER_CHECKS.find((c) => c.title.startsWith(start));
  if (!found) throw new Error(`no labeller check starting '${start}'`);
  return found;
};

describe('the pseudo-labeller contract', () => {
  it.each(LABELER_CHECKS.map((c) => [c.title, c]))('passes a sound labeller: %s', async (_title, c) => {
    await c.run(options());
  });

  it.each([
    ['labels-seen', 'labels only candidate pixels'],
    ['labels-non-candidates', 'labels only candidate pixels'],
    ['wrong-shape', 'proposes one label map'],
    ['invents', 'selects among its proposals'],
    ['random', 'is deterministic'],
    ['leaks', 'leaves the request'],
    ['disposes-images', 'leaves the request'],
    ['claims-per-sample', 'when it selects per sample'],
  ] as const)('fails a labeller that %s in the check "%s…"', async (flaw, start) => {
    await expect(Promise.resolve().then(() => check(start).run(options(flaw)))).rejects.toHaveProperty('matcherResult');
  });

  it("fails a labeller that labels nothing unless it says so ('none')", async () => {
    const nothing: LabelerContractOptions = { build: () => Object.assign(new FakeLabeler(), { select: (ps: readonly PseudoLabelProposal[]) => ps.map((p) => ({ ...p.labels, data: new Uint8Array(p.labels.data.length).fill(IGNORE_INDEX) })) }) };
    await expect(Promise.resolve().then(() => check('labels only candidate pixels').run(nothing))).rejects.toHaveProperty('matcherResult');
    await check('labels only candidate pixels').run({ ...nothing, labels: false });
    await expect(Promise.resolve().then(() => check('labels only candidate pixels').run({ ...options(), labels: false }))).rejects.toHaveProperty('matcherResult');
  });
});
