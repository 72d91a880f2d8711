import * as tf from '@tensorflow/tfjs';

/** How a convolution's weight starts: He normal (ReLU nets) or N(0, std) (SPNet's ASPP: std 0.01). */
export type WeightInit = { kind: 'he' } | { kind: 'normal'; std: number };

export function initialWeight(shape: [number, number, number, number], init: WeightInit, seed: number): tf.Tensor4D {
  const [kh, kw, cin] = shape;
  const std = init.kind === 'he' ? Math.sqrt(2 / (kh * kw * cin)) : init.std;
  return tf.tensor4d(normalValues(shape.reduce((a, b) => a * b, 1), std, seed), shape);
}

/**
 * N(0, std²) samples from a seeded mulberry32 stream through Box–Muller. tfjs's randomNormal takes about a
 * minute for ResNet-101's 42 M weights on the CPU; this takes well under a second.
 */
export function normalValues(count: number, std: number, seed: number): Float32Array {
  // Local bindings: global look-ups are slow inside vm contexts (jest), and this loop runs millions of times.
  const { imul, sqrt, log, cos, sin, PI } = Math;
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296; // in (0, 1): log() below stays finite
  };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = std * sqrt(-2 * log(uniform()));
    const a = 2 * PI * uniform();
    out[i] = r * cos(a);
    if (i + 1 < count) out[i + 1] = r * sin(a);
  }
  return out;
}

/** Seeds for the layers of one network, derived from one seed so a config reproduces its initial weights. */
export class SeedSequence {
  private next: number;
  constructor(seed: number) {
    this.next = (seed * 1000003) >>> 0;
  }
  take(): number {
    this.next = (Math.imul(this.next, 1664525) + 1013904223) >>> 0;
    return this.next;
  }
}
