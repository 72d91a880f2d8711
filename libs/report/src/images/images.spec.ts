// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../../../../types/fast-png.d.ts" />
import { decode } from 'fast-png';
import { classColour, hslToRgb } from './class-colours';
import { labelOverlay, resizeIndexMap } from './label-overlay';
import { pngDataUri } from './png-data-uri';

describe('classColour', () => {
  it('converts HSL like the CSS definition (known answers)', () => {
    expect(hslToRgb(0, 1, 0.5)).toEqual([255, 0, 0]);
    expect(hslToRgb(120, 1, 0.5)).toEqual([0, 255, 0]);
    expect(hslToRgb(240, 1, 0.25)).toEqual([0, 0, 128]);
    expect(hslToRgb(60, 1, 0.5)).toEqual([255, 255, 0]);
  });

  it('gives the 21 classes of VOC pairwise distinct colours', () => {
    const keys = new Set(Array.from({ length: 21 }, (_, i) => classColour(i).join(',')));
    expect(keys.size).toBe(21);
  });
});

describe('labelOverlay', () => {
  const image = { data: new Uint8Array([200, 100, 0, 10, 20, 30]), height: 1, width: 2 };

  it('blends the class colour with the given opacity and dims ignored pixels', () => {
    const out = labelOverlay(image, { data: new Uint8Array([3, 255]), height: 1, width: 2 }, 0.5);
    const c = classColour(3);
    expect([...out.data.slice(0, 3)]).toEqual([0, 1, 2].map((k) => Math.round(0.5 * image.data[k] + 0.5 * c[k])));
    expect([...out.data.slice(3)]).toEqual([10, 20, 30].map((v) => Math.round(v * 0.45)));
  });

  it('resizes a label map of another size by nearest neighbour', () => {
    const map = { data: new Uint8Array([1, 2, 3, 4]), height: 2, width: 2 };
    expect([...resizeIndexMap(map, 4, 4).data]).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    expect([...resizeIndexMap(map, 1, 1).data]).toEqual([4]);
    expect(labelOverlay({ data: new Uint8Array(48), height: 4, width: 4 }, map).height).toBe(4);
  });
});

describe('pngDataUri', () => {
  it('encodes a PNG that decodes back to the same pixels', () => {
    const data = Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => (i * 37) % 256);
    const uri = pngDataUri({ data, height: 2, width: 3 });
    expect(uri.startsWith('data:image/png;base64,')).toBe(true);
    const png = decode(Buffer.from(uri.split(',')[1], 'base64'));
    expect([png.width, png.height, png.channels]).toEqual([3, 2, 3]);
    expect([...png.data]).toEqual([...data]);
  });
});
