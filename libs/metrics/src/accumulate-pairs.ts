/**
 * The confusion-matrix kernel: adds every (target, prediction) pixel pair of two equally long arrays into
 * `cells` (row-major n × (n + 1); target ≥ n is skipped; prediction ≥ n goes to column n). Returns how many
 * counted pixels had a prediction ≥ n.
 *
 * Why runs: label maps are piecewise constant, so consecutive pixels mostly repeat the same pair. Incrementing
 * one cell per pixel makes every add wait for the previous store to the same cell; counting the run length in
 * a register and adding it once per run does not. Runs are found four pixels at a time by comparing 32-bit
 * words of both arrays with the current pair repeated in all four bytes, so a long run costs two compares per
 * four pixels. On noise-like stretches (runs under 2 pixels on average) it falls back to one increment per pixel.
 * Measured in bench/metrics (about 3–4× faster than a per-pixel increment on segmentation-like maps).
 */
export function accumulatePairs(target: Uint8Array, prediction: Uint8Array, n: number, cells: Float64Array): number {
  const len = target.length;
  if (len === 0) return 0;
  const m = n + 1;
  let outside = 0;
  let curG = target[0];
  let curP = prediction[0];
  let run = 0;
  let i = 0;

  // Both arrays must reach 4-byte alignment at the same index (after `skip` pixels) for the word views.
  const skip = (4 - (target.byteOffset & 3)) & 3;
  if ((target.byteOffset & 3) === (prediction.byteOffset & 3) && len - skip >= 4) {
    for (; i < skip; i++) {
      const g = target[i];
      const p = prediction[i];
      if (g === curG && p === curP) {
        run++;
      } else {
        outside += flush(cells, n, m, curG, curP, run);
        curG = g;
        curP = p;
        run = 1;
      }
    }
    const words = (len - i) >> 2;
    const gw = new Int32Array(target.buffer, target.byteOffset + i, words);
    const pw = new Int32Array(prediction.buffer, prediction.byteOffset + i, words);
    let curGW = Math.imul(curG, 0x01010101);
    let curPW = Math.imul(curP, 0x01010101);
    let w = 0;
    while (w < words) {
      const blockStart = w;
      const blockEnd = Math.min(words, w + BLOCK_WORDS);
      let changes = 0;
      for (; w < blockEnd; w++) {
        if (gw[w] === curGW && pw[w] === curPW) {
          run += 4;
          continue;
        }
        const base = i + (w << 2);
        for (let j = base; j < base + 4; j++) {
          const g = target[j];
          const p = prediction[j];
          if (g === curG && p === curP) {
            run++;
          } else {
            outside += flush(cells, n, m, curG, curP, run);
            changes++;
            curG = g;
            curP = p;
            run = 1;
          }
        }
        curGW = Math.imul(curG, 0x01010101);
        curPW = Math.imul(curP, 0x01010101);
      }
      // Runs shorter than 2 pixels on average (noise-like maps): runs cost more than they save, so count the
      // next stretch pixel by pixel, then probe again with one run-length block.
      if (changes > (blockEnd - blockStart) * 2 && w < words) {
        outside += flush(cells, n, m, curG, curP, run);
        const directEnd = Math.min(words, w + BLOCK_WORDS * DIRECT_BLOCKS);
        outside += countEach(target, prediction, i + (w << 2), i + (directEnd << 2), n, m, cells);
        w = directEnd;
        const next = i + (w << 2);
        curG = next < len ? target[next] : curG;
        curP = next < len ? prediction[next] : curP;
        run = 0;
        curGW = Math.imul(curG, 0x01010101);
        curPW = Math.imul(curP, 0x01010101);
      }
    }
    i += words << 2;
  }
  for (; i < len; i++) {
    const g = target[i];
    const p = prediction[i];
    if (g === curG && p === curP) {
      run++;
    } else {
      outside += flush(cells, n, m, curG, curP, run);
      curG = g;
      curP = p;
      run = 1;
    }
  }
  return outside + flush(cells, n, m, curG, curP, run);
}

/** Words per adaptive block (4096 pixels), and how many blocks are counted per pixel after a noisy one. */
const BLOCK_WORDS = 1024;
const DIRECT_BLOCKS = 16;

/** The plain kernel, one increment per pixel of [start, end); best when consecutive pairs rarely repeat. */
function countEach(target: Uint8Array, prediction: Uint8Array, start: number, end: number, n: number, m: number, cells: Float64Array): number {
  let outside = 0;
  for (let i = start; i < end; i++) {
    const g = target[i];
    if (g < n) {
      const p = prediction[i];
      if (p < n) {
        cells[g * m + p]++;
      } else {
        cells[g * m + n]++;
        outside++;
      }
    }
  }
  return outside;
}

/** Adds a run of one pair; returns the run length when it counts as an out-of-space prediction. */
function flush(cells: Float64Array, n: number, m: number, g: number, p: number, run: number): number {
  if (g >= n) return 0;
  if (p < n) {
    cells[g * m + p] += run;
    return 0;
  }
  cells[g * m + n] += run;
  return run;
}
