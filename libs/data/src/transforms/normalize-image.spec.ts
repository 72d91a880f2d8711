import { normalizeImage, NORMALIZATIONS } from './normalize-image';

const pixel = { data: Uint8Array.from([10, 20, 30, 255, 0, 128]), height: 1, width: 2, channels: 3 };

describe('normalizeImage', () => {
  it('caffe-bgr: reverses to BGR and subtracts (104.008, 116.669, 122.675)', () => {
    const out = normalizeImage(pixel, NORMALIZATIONS['caffe-bgr']);
    const expected = [30 - 104.008, 20 - 116.669, 10 - 122.675, 128 - 104.008, 0 - 116.669, 255 - 122.675];
    expected.forEach((v, i) => expect(out.data[i]).toBeCloseTo(v, 4));
  });

  it('imagenet: RGB / 255, minus (0.485, 0.456, 0.406), over (0.229, 0.224, 0.225)', () => {
    const out = normalizeImage(pixel, NORMALIZATIONS.imagenet);
    const expected = [
      (10 / 255 - 0.485) / 0.229, (20 / 255 - 0.456) / 0.224, (30 / 255 - 0.406) / 0.225,
      (255 / 255 - 0.485) / 0.229, (0 - 0.456) / 0.224, (128 / 255 - 0.406) / 0.225,
    ];
    expected.forEach((v, i) => expect(out.data[i]).toBeCloseTo(v, 5));
  });

  it('synthetic: (x / 255 − 0.5) / 0.25, so 0 → −2 and 255 → 2', () => {
    const out = normalizeImage(pixel, NORMALIZATIONS.synthetic);
    expect(out.data[3]).toBeCloseTo(2, 6);
    expect(out.data[4]).toBeCloseTo(-2, 6);
    expect(out.data[0]).toBeCloseTo((10 / 255 - 0.5) / 0.25, 6);
    expect(out.data).toBeInstanceOf(Float32Array);
  });

  it('rejects images that are not RGB', () => {
    expect(() => normalizeImage({ data: new Uint8Array(4), height: 2, width: 2, channels: 1 }, NORMALIZATIONS.imagenet)).toThrow(/3 channels/);
  });
});
