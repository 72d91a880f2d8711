import * as tf from '@tensorflow/tfjs';
import { IGNORE_INDEX, SeededRng, type LabelMap, type PseudoLabeler, type PseudoLabelProposal, type PseudoLabelRequest } from '@zls/core';
import { echoModel } from '../fixtures/echo-model';
import type { ContractCheck } from './contract-check';

export interface LabelerContractOptions {
  /** Builds a fresh labeller for each check, e.g. from its registry with options. */
  build: () => PseudoLabeler;
  /** False for a labeller that gives no labels at all (SPNet's 'none'); default true: some candidate is labelled. */
  labels?: boolean;
}

const CLASSES = 5;
/** Non-contiguous, so that a labeller mixing up output indices and positions in the list is caught. */
const UNSEEN = [1, 4];
const [BATCH, HEIGHT, WIDTH] = [2, 6, 8];

/**
 * A batch whose generator scores are random (the echo model reads class c's score from image channel c) and
 * whose targets mix seen-class labels with candidates (IGNORE_INDEX), about half each.
 */
function request(): PseudoLabelRequest {
  const rng = new SeededRng(17);
  const pixels = HEIGHT * WIDTH;
  const seen = Array.from({ length: CLASSES }, (_, c) => c).filter((c) => !UNSEEN.includes(c));
  const targets: LabelMap[] = Array.from({ length: BATCH }, () => ({
    data: Uint8Array.from({ length: pixels }, () => (rng.uniform(0, 1) < 0.5 ? IGNORE_INDEX : seen[Math.floor(rng.uniform(0, seen.length))])),
    height: HEIGHT,
    width: WIDTH,
  }));
  const scores = Float32Array.from({ length: BATCH * pixels * CLASSES }, () => rng.normal() * 2);
  return { generator: echoModel(CLASSES), images: tf.tensor4d(scores, [BATCH, HEIGHT, WIDTH, CLASSES]), targets, unseenIndices: UNSEEN };
}

const copy = (maps: readonly LabelMap[]) => maps.map((m) => ({ ...m, data: Array.from(m.data) }));
const asPlain = (proposals: readonly PseudoLabelProposal[]) => proposals.map((p) => ({ labels: Array.from(p.labels.data), confidence: Array.from(p.confidence) }));

/** Every label is an unseen class on a candidate pixel, or IGNORE_INDEX; returns how many pixels are labelled. */
function expectOnlyUnseenOnCandidates(maps: readonly LabelMap[], targets: readonly LabelMap[]): number {
  let labelled = 0;
  maps.forEach((m, i) =>
    m.data.forEach((v, p) => {
      if (v === IGNORE_INDEX) return;
      labelled++;
      expect({ pixel: p, label: v, unseen: UNSEEN.includes(v), candidate: targets[i].data[p] === IGNORE_INDEX }).toEqual({ pixel: p, label: v, unseen: true, candidate: true });
    }),
  );
  return labelled;
}

/** Runs `check` on a fresh request, which it disposes afterwards. */
async function withRequest(check: (req: PseudoLabelRequest) => Promise<void>): Promise<void> {
  const req = request();
  try {
    await check(req);
  } finally {
    req.images.dispose();
  }
}

/** The checks of the labeller contract, one per property. */
export const LABELER_CHECKS: readonly ContractCheck<LabelerContractOptions>[] = [
  {
    title: 'names itself and its selection rule',
    run: (o) => {
      const labeler = o.build();
      expect(labeler.name).toMatch(/\S/);
      expect(labeler.rule).toMatch(/\S/);
    },
  },
  {
    title: "proposes one label map and confidence per target, in the target's shape",
    run: (o) =>
      withRequest(async (req) => {
        const proposals = await o.build().propose(req);
        expect(proposals).toHaveLength(BATCH);
        for (const p of proposals) {
          expect([p.labels.height, p.labels.width, p.labels.data.length]).toEqual([HEIGHT, WIDTH, HEIGHT * WIDTH]);
          expect(p.labels.data).toBeInstanceOf(Uint8Array);
          expect(p.confidence).toBeInstanceOf(Float32Array);
          expect(p.confidence).toHaveLength(HEIGHT * WIDTH);
        }
      }),
  },
  {
    title: 'labels only candidate pixels, and only with unseen classes; selects one map per proposal',
    run: (o) =>
      withRequest(async (req) => {
        const labeler = o.build();
        const proposals = await labeler.propose(req);
        expectOnlyUnseenOnCandidates(proposals.map((p) => p.labels), req.targets);
        const selected = labeler.select(proposals);
        expect(selected.map((m) => [m.height, m.width, m.data.length])).toEqual(req.targets.map(() => [HEIGHT, WIDTH, HEIGHT * WIDTH]));
        const labelled = expectOnlyUnseenOnCandidates(selected, req.targets);
        if (o.labels ?? true) expect(labelled).toBeGreaterThan(0);
        else expect(labelled).toBe(0);
      }),
  },
  {
    title: 'selects among its proposals: a selected label is the proposed one',
    run: (o) =>
      withRequest(async (req) => {
        const labeler = o.build();
        const proposals = await labeler.propose(req);
        labeler.select(proposals).forEach((m, i) =>
          m.data.forEach((v, p) => {
            if (v !== IGNORE_INDEX) expect({ pixel: p, label: v }).toEqual({ pixel: p, label: proposals[i].labels.data[p] });
          }),
        );
      }),
  },
  {
    title: 'is deterministic: the same request gives the same proposals and labels, from one labeller or two',
    run: (o) =>
      withRequest(async (req) => {
        const [a, b] = [o.build(), o.build()];
        const first = await a.propose(req);
        const again = await a.propose(req);
        const other = await b.propose(req);
        expect(asPlain(again)).toEqual(asPlain(first));
        expect(asPlain(other)).toEqual(asPlain(first));
        expect(copy(a.select(first))).toEqual(copy(b.select(other)));
      }),
  },
  {
    title: "leaves the request's images and targets as they were, and leaks no tensors",
    run: (o) =>
      withRequest(async (req) => {
        const labeler = o.build();
        const targets = copy(req.targets);
        const images = Array.from(req.images.dataSync());
        await labeler.propose(req); // a first call may cache what its backend keeps
        expect(req.images.isDisposed).toBe(false);
        const before = tf.memory().numTensors;
        labeler.select(await labeler.propose(req));
        expect(tf.memory().numTensors).toBe(before);
        expect(Array.from(req.images.dataSync())).toEqual(images);
        expect(copy(req.targets)).toEqual(targets);
      }),
  },
  {
    title: 'when it selects per sample, selecting proposals one at a time gives the same labels as all together',
    run: (o) =>
      withRequest(async (req) => {
        const labeler = o.build();
        if (!labeler.selectsPerSample) return;
        const proposals = await labeler.propose(req);
        expect(copy(proposals.map((p) => labeler.select([p])[0]))).toEqual(copy(labeler.select(proposals)));
      }),
  },
];

/**
 * The checks every pseudo-labeller must pass (built-ins and plugins alike): it names itself and its rule,
 * gives one proposal and one label map per target in the target's shape, labels only candidate pixels and
 * only with unseen classes, selects among its proposals without inventing labels, is deterministic, leaves
 * the request untouched without leaking tensors, and, when it says it selects per sample, does.
 */
export function describeLabelerContract(name: string, options: LabelerContractOptions): void {
  describe(`pseudo-labeler contract: ${name}`, () => {
    for (const check of LABELER_CHECKS) it(check.title, async () => check.run(options));
  });
}
