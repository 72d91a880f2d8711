import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@zls/backend';
import { buildSegmentationModel, type SegmentationNet, type Upsampling } from '@zls/models';
import { viewScores, viewSide } from '@zls/pseudo-label';
import { createRegistries } from '../registries';

// STRICT's views agree only if a mirrored view's score grid lands on the identity's. With mirror-symmetric
// weights and a mirror-symmetric input, a flip-aligned network returns mirror-symmetric scores, so the labels
// of mirror(x), mirrored back, equal those of x. The authors' geometry (stride·k + 1 input, corner-aligned
// resizing) has this by construction; the old 64-px half-pixel grid does not.

beforeAll(async () => {
  await selectBackend('wasm-ort');
});

const CLASSES = 5;
const DIM = 6;

function symmetricNet(upsampling: Upsampling): SegmentationNet {
  const embeddings = new Float32Array(CLASSES * DIM).map((_, i) => Math.sin(1.7 * i + 0.3));
  const model = buildSegmentationModel(
    createRegistries(),
    { backbone: { type: 'synthetic-net', width: 4, seed: 3 }, head: { type: 'aspp-lite-projection', dilations: [1, 2, 4], embeddingDim: DIM, seed: 4 }, upsampling },
    { numClasses: CLASSES, embeddingDim: DIM, embeddings },
  );
  // Every 3×3 kernel [kh, kw, in, out] made left-right symmetric (its column 2 := column 0), biases random.
  for (const [name, v] of Object.entries(model.stateVariables())) {
    if (v.rank === 4 && v.shape[1] === 3) v.assign(tf.tidy(() => tf.concat([tf.slice(v, [0, 0, 0, 0], [-1, 2, -1, -1]), tf.slice(v, [0, 0, 0, 0], [-1, 1, -1, -1])], 1)));
    else if (v.rank === 1 && name.endsWith('bias')) v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', 9));
  }
  return model;
}

/** A random image and its mirror side by side in one: x[.., j, ..] = x[.., W − 1 − j, ..]. */
function symmetricImage(side: number): tf.Tensor4D {
  return tf.tidy(() => {
    const x = tf.randomNormal([1, side, side, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const half = Math.ceil(side / 2);
    const left = tf.slice(x, [0, 0, 0, 0], [-1, -1, half, -1]);
    const right = tf.reverse(tf.slice(x, [0, 0, 0, 0], [-1, -1, side - half, -1]), 2);
    return tf.concat([left, right], 2) as tf.Tensor4D;
  });
}

/** Pixels whose unseen argmax differs between the identity view and the mirrored one (mirrored back). */
async function mirrorDisagreement(model: SegmentationNet, side: number, scale: number): Promise<number> {
  const x = symmetricImage(side);
  const classes = [0, 1, 2, 3, 4];
  const a = tf.tidy(() => tf.argMax(viewScores(model, x, classes, { scale, flip: false }), 3));
  const b = tf.tidy(() => tf.argMax(viewScores(model, x, classes, { scale, flip: true }), 3));
  const [la, lb] = [await a.data(), await b.data()];
  tf.dispose([x, a, b]);
  let differ = 0;
  for (let i = 0; i < la.length; i++) if (la[i] !== lb[i]) differ++;
  return differ;
}

describe('view alignment of the synthetic network', () => {
  it('keeps the 4k + 1 form for scaled views of a corner-aligned stride-4 net (65 → 97, 113)', () => {
    const aligned = { outputStride: 4, alignCorners: true };
    expect([1.5, 1.75].map((s) => viewSide(65, s, aligned))).toEqual([97, 113]);
    expect(viewSide(321, 1.5, { outputStride: 8, alignCorners: true })).toBe(481);
    expect(viewSide(64, 1.5, { outputStride: 4, alignCorners: false })).toBe(96);
  });

  it('aligned geometry: scores of a symmetric input are symmetric, and every view agrees with its mirror', async () => {
    const model = symmetricNet('align-corners');
    const x = symmetricImage(65);
    const asym = tf.tidy(() => {
      const s = model.forward(x, false);
      return tf.max(tf.abs(tf.sub(s, tf.reverse(s, 2)))).dataSync()[0] / tf.max(tf.abs(s)).dataSync()[0];
    });
    expect(asym).toBeLessThan(1e-4);
    for (const scale of [1, 1.5, 1.75]) expect(await mirrorDisagreement(model, 65, scale)).toBe(0);
    tf.dispose(x);
    model.dispose();
  });

  it('the old 64-px half-pixel grid shifts a mirrored view: labels disagree on a symmetric input', async () => {
    const model = symmetricNet('half-pixel');
    expect(await mirrorDisagreement(model, 64, 1)).toBeGreaterThan(20);
    model.dispose();
  });
});
