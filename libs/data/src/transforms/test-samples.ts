import { SeededRng, type SegSample } from '@zls/core';

/**
 * A random sample for transform specs: image channel 0 = 10·label + 1 wherever the label is set (so geometry
 * can be checked through the image), random elsewhere; hidden differs from target on some pixels.
 */
export function randomSample(height: number, width: number, seed: number, labelValues: readonly number[]): SegSample {
  const rng = new SeededRng(seed);
  const image = new Uint8Array(height * width * 3);
  const target = new Uint8Array(height * width);
  const hidden = new Uint8Array(height * width);
  for (let p = 0; p < height * width; p++) {
    target[p] = labelValues[Math.floor(rng.next() * labelValues.length)];
    hidden[p] = rng.next() < 0.2 ? labelValues[Math.floor(rng.next() * labelValues.length)] : target[p];
    image[p * 3] = (10 * target[p] + 1) & 255;
    image[p * 3 + 1] = Math.floor(rng.next() * 256);
    image[p * 3 + 2] = Math.floor(rng.next() * 256);
  }
  return {
    id: `sample-${seed}`,
    image: { data: image, height, width, channels: 3 },
    target: { data: target, height, width },
    hidden: { data: hidden, height, width },
  };
}
