import * as fs from 'node:fs';
import { DataError } from '@zls/core';

export interface EmbeddingRow {
  /** Row index in the source (the shipped files use the dataset label value). */
  id?: number;
  name: string;
  vector: Float32Array;
}

export interface EmbeddingTable {
  file: string;
  dim: number;
  rows: EmbeddingRow[];
}

/**
 * Reads class embeddings from JSON, in one of three shapes:
 * - the shipped format `{ dim?, classes: [{ id?, name, vector }] }`,
 * - a list `[{ name, vector }]`,
 * - a mapping `{ "<class name>": [numbers] }`.
 * Every vector must have the same length (and `dim`, when the file declares it).
 */
export function readEmbeddingJson(file: string): EmbeddingTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(file, code ? `cannot read embedding file (${code})` : `not valid JSON: ${(e as Error).message}`);
  }
  return embeddingTableFromJson(parsed, file);
}

export function embeddingTableFromJson(parsed: unknown, file: string): EmbeddingTable {
  let declaredDim: number | undefined;
  let entries: { id?: unknown; name: unknown; vector: unknown }[];
  if (Array.isArray(parsed)) {
    entries = parsed;
  } else if (parsed && typeof parsed === 'object' && Array.isArray((parsed as { classes?: unknown }).classes)) {
    const obj = parsed as { classes: typeof entries; dim?: unknown };
    entries = obj.classes;
    if (obj.dim !== undefined) {
      if (typeof obj.dim !== 'number' || !Number.isInteger(obj.dim) || obj.dim <= 0) throw new DataError(file, `"dim" is ${JSON.stringify(obj.dim)}, expected a positive integer`);
      declaredDim = obj.dim;
    }
  } else if (parsed && typeof parsed === 'object') {
    entries = Object.entries(parsed as Record<string, unknown>).map(([name, vector]) => ({ name, vector }));
  } else {
    throw new DataError(file, 'expected a JSON object of class name → vector, a list of {name, vector}, or {classes: [...]}');
  }
  const rows: EmbeddingRow[] = entries.map((entry, i) => {
    if (!entry || typeof entry !== 'object' || typeof entry.name !== 'string') {
      throw new DataError(file, `entry ${i} has no string "name"`);
    }
    if (!Array.isArray(entry.vector) || entry.vector.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
      throw new DataError(file, `vector of "${entry.name}" is not a list of finite numbers`);
    }
    if (entry.id !== undefined && (typeof entry.id !== 'number' || !Number.isInteger(entry.id))) {
      throw new DataError(file, `"id" of "${entry.name}" is ${JSON.stringify(entry.id)}, expected an integer`);
    }
    return { id: entry.id as number | undefined, name: entry.name, vector: Float32Array.from(entry.vector as number[]) };
  });
  if (rows.length === 0) throw new DataError(file, 'holds no class vectors');
  const dim = declaredDim ?? rows[0].vector.length;
  for (const row of rows) {
    if (row.vector.length !== dim) {
      throw new DataError(file, `vector of "${row.name}" has ${row.vector.length} values, expected ${dim} (the ${declaredDim ? 'declared "dim"' : 'length of the first vector'})`);
    }
  }
  return { file, dim, rows };
}
