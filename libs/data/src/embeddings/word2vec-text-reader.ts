import * as fs from 'node:fs';
import { DataError } from '@zls/core';
import { classNameKey } from './class-name-key';
import { forEachLine } from './line-reader';

export interface WordVectors {
  dim: number;
  /** classNameKey(word) → vector; the first occurrence of a key wins (files list frequent words first). */
  vectors: Map<string, Float32Array>;
}

/**
 * Reads the word2vec text format ("COUNT DIM" header line, then "word v1 … vDIM" per line); the GloVe variant
 * without a header is accepted too. Only words whose key is in `wanted` are kept, when it is given.
 */
export function readWord2vecText(file: string, wanted?: ReadonlySet<string>): WordVectors {
  if (!fs.existsSync(file)) throw new DataError(file, 'word-vector file is missing');
  let dim = 0;
  let declaredCount: number | undefined;
  let rows = 0;
  const vectors = new Map<string, Float32Array>();
  forEachLine(file, (line, lineNumber) => {
    const tokens = line.trim().split(/\s+/);
    if (tokens.length === 1 && tokens[0] === '') return;
    if (lineNumber === 1 && tokens.length === 2 && /^\d+$/.test(tokens[0]) && /^\d+$/.test(tokens[1])) {
      declaredCount = Number(tokens[0]);
      dim = Number(tokens[1]);
      return;
    }
    if (dim === 0) dim = tokens.length - 1;
    if (tokens.length !== dim + 1) {
      throw new DataError(`${file}:${lineNumber}`, `expected a word and ${dim} numbers, found ${tokens.length - 1} numbers`);
    }
    rows++;
    const key = classNameKey(tokens[0]);
    if ((wanted && !wanted.has(key)) || vectors.has(key)) return;
    const v = new Float32Array(dim);
    for (let d = 0; d < dim; d++) {
      const x = Number(tokens[d + 1]);
      if (!Number.isFinite(x)) throw new DataError(`${file}:${lineNumber}`, `value ${d + 1} of "${tokens[0]}" is '${tokens[d + 1]}', expected a number`);
      v[d] = x;
    }
    vectors.set(key, v);
  });
  if (dim === 0) throw new DataError(file, 'word-vector file holds no vectors');
  if (declaredCount !== undefined && rows !== declaredCount) {
    throw new DataError(file, `header declares ${declaredCount} vectors but the file holds ${rows} (truncated?)`);
  }
  return { dim, vectors };
}
