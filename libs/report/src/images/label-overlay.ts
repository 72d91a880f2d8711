import type { IndexMap, RgbImage } from '../html/report-data';
import { classColour } from './class-colours';

const IGNORE = 255;

/** Nearest-neighbour resize of a label map (pixel centres), for maps saved at another resolution. */
export function resizeIndexMap(map: IndexMap, height: number, width: number): IndexMap {
  if (map.height === height && map.width === width) return map;
  const data = new Uint8Array(height * width);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(map.height - 1, Math.floor(((y + 0.5) * map.height) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(map.width - 1, Math.floor(((x + 0.5) * map.width) / width));
      data[y * width + x] = map.data[sy * map.width + sx];
    }
  }
  return { data, height, width };
}

/**
 * Draws each labelled pixel's class colour over the image with the given opacity; ignored pixels show the
 * image darkened, so "no label" reads differently from any class.
 */
export function labelOverlay(image: RgbImage, labels: IndexMap, alpha = 0.6): RgbImage {
  const map = resizeIndexMap(labels, image.height, image.width);
  const out = new Uint8Array(image.data.length);
  const colours = new Map<number, [number, number, number]>();
  for (let i = 0; i < map.data.length; i++) {
    const label = map.data[i];
    const o = 3 * i;
    if (label === IGNORE) {
      for (let c = 0; c < 3; c++) out[o + c] = Math.round(image.data[o + c] * 0.45);
      continue;
    }
    let colour = colours.get(label);
    if (!colour) colours.set(label, (colour = classColour(label)));
    for (let c = 0; c < 3; c++) out[o + c] = Math.round((1 - alpha) * image.data[o + c] + alpha * colour[c]);
  }
  return { data: out, height: image.height, width: image.width };
}
