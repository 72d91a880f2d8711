import { SeededRng } from '@zls/core';
import { resizeBilinear } from './resize-bilinear';

/** Direct float64 evaluation of half-pixel-centre bilinear interpolation, one output value at a time. */
function naiveBilinear(src: ArrayLike<number>, inH: number, inW: number, C: number, outH: number, outW: number): Float64Array {
  const out = new Float64Array(outH * outW * C);
  const at = (y: number, x: number, c: number) => src[(y * inW + x) * C + c];
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const sy = Math.min(inH - 1, Math.max(0, ((y + 0.5) * inH) / outH - 0.5));
      const sx = Math.min(inW - 1, Math.max(0, ((x + 0.5) * inW) / outW - 0.5));
      const y0 = Math.floor(sy);
      const x0 = Math.floor(sx);
      const y1 = Math.min(inH - 1, y0 + 1);
      const x1 = Math.min(inW - 1, x0 + 1);
      const fy = sy - y0;
      const fx = sx - x0;
      for (let c = 0; c < C; c++) {
        out[(y * outW + x) * C + c] =
          (1 - fy) * ((1 - fx) * at(y0, x0, c) + fx * at(y0, x1, c)) + fy * ((1 - fx) * at(y1, x0, c) + fx * at(y1, x1, c));
      }
    }
  }
  return out;
}

describe('resizeBilinear', () => {
  it('uses half-pixel centres: [0, 100] upsampled to 4 gives [0, 25, 75, 100]', () => {
    const out = resizeBilinear({ data: Float32Array.from([0, 100]), height: 1, width: 2, channels: 1 }, 1, 4);
    expect(Array.from(out.data)).toEqual([0, 25, 75, 100]);
    const down = resizeBilinear({ data: Float32Array.from([0, 10, 20, 30]), height: 1, width: 4, channels: 1 }, 1, 2);
    expect(Array.from(down.data)).toEqual([5, 25]);
  });

  it('matches a naive float64 reference on float images, up- and downscaling', () => {
    const rng = new SeededRng(11);
    const src = Float32Array.from({ length: 13 * 17 * 3 }, () => rng.uniform(-50, 300));
    for (const [h, w] of [[29, 40], [5, 7], [13, 31], [1, 1]]) {
      const fast = resizeBilinear({ data: src, height: 13, width: 17, channels: 3 }, h, w);
      const ref = naiveBilinear(src, 13, 17, 3, h, w);
      expect(fast.data).toBeInstanceOf(Float32Array);
      let worst = 0;
      for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(fast.data[i] - ref[i]));
      expect(worst).toBeLessThan(1e-3);
    }
  });

  it('rounds uint8 images to the nearest integer of the float64 result', () => {
    const rng = new SeededRng(12);
    const src = Uint8Array.from({ length: 9 * 11 * 3 }, () => rng.int(0, 255));
    const fast = resizeBilinear({ data: src, height: 9, width: 11, channels: 3 }, 20, 14);
    const ref = naiveBilinear(src, 9, 11, 3, 20, 14);
    expect(fast.data).toBeInstanceOf(Uint8Array);
    let off = 0;
    for (let i = 0; i < ref.length; i++) if (Math.abs(fast.data[i] - ref[i]) > 0.5 + 1e-4) off++;
    expect(off).toBe(0);
  });

  it('returns the input values at the same size', () => {
    const src = Uint8Array.from({ length: 4 * 5 * 3 }, (_, i) => (i * 37) & 255);
    expect(Array.from(resizeBilinear({ data: src, height: 4, width: 5, channels: 3 }, 4, 5).data)).toEqual(Array.from(src));
  });
});

describe('resizeBilinear on a Buffer (a host-realm Uint8Array under jest)', () => {
  it('treats it as a byte image: rounded uint8 output', () => {
    const out = resizeBilinear({ data: Buffer.from([0, 100]), height: 1, width: 2, channels: 1 }, 1, 4);
    expect(out.data.BYTES_PER_ELEMENT).toBe(1);
    expect(Array.from(out.data)).toEqual([0, 25, 75, 100]);
  });
});
