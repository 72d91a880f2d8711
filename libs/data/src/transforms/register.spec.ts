import 'reflect-metadata';
import { ConfigError, Registries, SeededRng } from '@zls/core';
import { ComposedTransform } from './compose-transforms';
import { registerTransforms } from './register';
import { randomSample } from './test-samples';

describe('registerTransforms', () => {
  const registries = new Registries();
  registerTransforms(registries);

  it('registers the reference pipeline and builds it from config', () => {
    expect(registries.transform.types()).toEqual(['horizontal-flip', 'normalize', 'pad', 'random-crop', 'random-scale', 'resize']);
    const pipeline = new ComposedTransform(
      [
        { type: 'resize', size: 40 },
        { type: 'random-scale', min: 0.5, max: 1.5 },
        { type: 'pad', height: 40, width: 40 },
        { type: 'random-crop', height: 32, width: 32 },
        { type: 'horizontal-flip' },
        { type: 'normalize', preset: 'caffe-bgr' },
      ].map((c, i) => registries.transform.build(c, `transforms[${i}]`)),
    );
    const out = pipeline.apply(randomSample(30, 50, 1, [1, 2]), new SeededRng(1));
    expect([out.image.height, out.image.width, out.image.channels]).toEqual([32, 32, 3]);
    expect(out.image.data).toBeInstanceOf(Float32Array);
    expect([out.target.height, out.hidden.width]).toEqual([32, 32]);
  });

  it('keeps the aspect in short-side mode', () => {
    const resize = registries.transform.build({ type: 'resize', mode: 'short-side', size: 15 }, 't');
    const out = resize.apply(randomSample(30, 50, 1, [1]), new SeededRng(0));
    expect([out.image.height, out.image.width, out.target.height, out.target.width]).toEqual([15, 25, 15, 25]);
  });

  it('names the path of invalid options', () => {
    expect(() => registries.transform.build({ type: 'normalize', preset: 'bgr' }, 'data.transforms[5]')).toThrow(ConfigError);
    expect(() => registries.transform.build({ type: 'horizontal-flip', probability: 2 }, 'data.transforms[4]')).toThrow(
      /data\.transforms\[4\]\.probability/,
    );
    expect(() => registries.transform.build({ type: 'random-scale', min: 2, max: 1 }, 't')).toThrow(/min 2 is larger than max 1/);
  });
});
