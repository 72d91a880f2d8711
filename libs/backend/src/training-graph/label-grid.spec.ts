import { nearestLabelIndices, resizeLabelsNearest } from './label-grid';

// Printed by OpenCV 4.6 (Debian python3-opencv): cv2.resize(np.arange(src)[None].repeat(2, 0), (dst, 2),
// interpolation=cv2.INTER_NEAREST)[0], the call the reference's resize_target makes on every label map.
const OPENCV: [number, number, number[]][] = [
  [321, 41, [0, 7, 15, 23, 31, 39, 46, 54, 62, 70, 78, 86, 93, 101, 109, 117, 125, 133, 140, 148, 156, 164, 172, 180, 187, 195, 203, 211, 219, 227, 234, 242, 250, 258, 266, 274, 281, 289, 297, 305, 313]],
  [321, 21, [0, 15, 30, 45, 61, 76, 91, 107, 122, 137, 152, 168, 183, 198, 214, 229, 244, 259, 275, 290, 305]],
  [321, 31, [0, 10, 20, 31, 41, 51, 62, 72, 82, 93, 103, 113, 124, 134, 144, 155, 165, 176, 186, 196, 207, 217, 227, 238, 248, 258, 269, 279, 289, 300, 310]],
  [65, 17, [0, 3, 7, 11, 15, 19, 22, 26, 30, 34, 38, 42, 45, 49, 53, 57, 61]],
  [65, 9, [0, 7, 14, 21, 28, 36, 43, 50, 57]],
  [21, 6, [0, 3, 7, 10, 14, 17]],
  [21, 4, [0, 5, 10, 15]],
  [160, 41, [0, 3, 7, 11, 15, 19, 23, 27, 31, 35, 39, 42, 46, 50, 54, 58, 62, 66, 70, 74, 78, 81, 85, 89, 93, 97, 101, 105, 109, 113, 117, 120, 124, 128, 132, 136, 140, 144, 148, 152, 156]],
  [100, 7, [0, 14, 28, 42, 57, 71, 85]],
  [7, 10, [0, 0, 1, 2, 2, 3, 4, 4, 5, 6]],
];

describe('nearest label grid (the reference resize_target: OpenCV INTER_NEAREST)', () => {
  it.each(OPENCV)('%i → %i picks the rows OpenCV picks', (src, dst, expected) => {
    expect(nearestLabelIndices(src, dst)).toEqual(expected);
  });

  it('resizes [N, H, W] labels per axis, ignore values included, and keeps a same-size map', () => {
    // Two 3×4 maps → 2×2: rows 0 and 1 (floor(i · 1.5)), columns 0 and 2.
    const labels = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, 11, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]);
    expect(Array.from(resizeLabelsNearest(labels, [2, 3, 4], [2, 2]))).toEqual([0, 2, 4, 6, 20, 22, 24, 26]);
    expect(resizeLabelsNearest(labels, [2, 3, 4], [3, 4])).toBe(labels);
    expect(() => resizeLabelsNearest(labels, [2, 3, 3], [2, 2])).toThrow(/24 labels/);
    expect(() => nearestLabelIndices(0, 3)).toThrow(/positive integers/);
  });
});
