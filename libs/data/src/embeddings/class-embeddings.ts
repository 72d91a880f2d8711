import * as path from 'node:path';
import * as fs from 'node:fs';
import { DataError, ZlsError } from '@zls/core';
import type { DatasetClass } from '../splits/dataset-classes';
import { classNameKey } from './class-name-key';
import { readEmbeddingJson, type EmbeddingTable } from './embedding-json-reader';
import { readNpy } from './npy-reader';
import { concatRows, l2NormaliseRows } from './row-math';
import { FASTNVEC, isShippedEmbedding, shippedEmbeddingNames, shippedEmbeddingTable } from './shipped-embeddings';
import { readWord2vecText } from './word2vec-text-reader';

export interface ClassEmbeddingRequest {
  /** The dataset type whose shipped sets (embeddings/shipped.json) the name may refer to. */
  dataset: string;
  /** A shipped set (fastnvec, word2vec, fasttext, glove, zs3-word2vec) or a .json / .npy / word2vec-text file. */
  embedding: string;
  /** For a .npy file: a text file with one class name per row. Without it, row i belongs to label value i. */
  namesFile?: string;
  /** When given, a file of another width is an error. */
  expectedDim?: number;
}

export interface ClassEmbeddings {
  dim: number;
  /** classes.length × dim, rows in the order of the classes asked for. */
  rows: Float32Array;
}

/** Embedding rows for `classes`, in their order: looked up by label value in shipped sets, by name in user files. */
export function classEmbeddings(classes: readonly DatasetClass[], request: ClassEmbeddingRequest): ClassEmbeddings {
  const result = resolve(classes, request);
  // A NaN or infinite value (an .npy written from a failed computation) would silently poison every score.
  classes.forEach((c, i) => {
    const row = result.rows.subarray(i * result.dim, (i + 1) * result.dim);
    const bad = row.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new DataError(request.embedding, `vector of class "${c.name}" holds ${row[bad]} at position ${bad}; expected finite numbers`);
  });
  if (request.expectedDim !== undefined && result.dim !== request.expectedDim) {
    throw new ZlsError(`embedding "${request.embedding}" has dimension ${result.dim}, expected ${request.expectedDim}`);
  }
  return result;
}

function resolve(classes: readonly DatasetClass[], request: ClassEmbeddingRequest): ClassEmbeddings {
  const { dataset, embedding } = request;
  if (embedding === FASTNVEC) {
    // SPNet/STRICT: concatenate the fastText and word2vec rows, then L2-normalise the 600-d row.
    const ft = byLabelId(classes, shippedEmbeddingTable(dataset, 'fasttext'));
    const w2v = byLabelId(classes, shippedEmbeddingTable(dataset, 'word2vec'));
    const dim = ft.dim + w2v.dim;
    return { dim, rows: l2NormaliseRows(concatRows(ft.rows, ft.dim, w2v.rows, w2v.dim, classes.length), classes.length, dim) };
  }
  if (isShippedEmbedding(dataset, embedding)) return byLabelId(classes, shippedEmbeddingTable(dataset, embedding));
  if (!fs.existsSync(embedding)) {
    throw new ZlsError(
      `embedding "${embedding}" is neither a shipped set for ${dataset} (${shippedEmbeddingNames(dataset).join(', ')}) nor an existing file`,
    );
  }
  const ext = path.extname(embedding).toLowerCase();
  if (ext === '.json') return byName(classes, readEmbeddingJson(embedding));
  if (ext === '.npy') return fromNpy(classes, embedding, request.namesFile);
  const wanted = new Set(classes.flatMap((c) => [c.name, ...c.aliases].map(classNameKey)));
  const words = readWord2vecText(embedding, wanted);
  const rows = [...words.vectors].map(([key, vector]) => ({ name: key, vector }));
  return byName(classes, { file: embedding, dim: words.dim, rows });
}

/** Shipped tables are indexed by label value; their row names are checked so a misordered file cannot slip by. */
function byLabelId(classes: readonly DatasetClass[], table: EmbeddingTable): ClassEmbeddings {
  const rows = new Float32Array(classes.length * table.dim);
  classes.forEach((c, i) => {
    const row = table.rows.find((r) => r.id === c.labelId);
    if (!row) throw new DataError(table.file, `no row for label ${c.labelId} ("${c.name}")`);
    const keys = [c.name, ...c.aliases].map(classNameKey);
    if (!keys.includes(classNameKey(row.name))) {
      throw new DataError(table.file, `row ${c.labelId} is "${row.name}", expected "${c.name}"`);
    }
    rows.set(row.vector, i * table.dim);
  });
  return { dim: table.dim, rows };
}

function byName(classes: readonly DatasetClass[], table: EmbeddingTable): ClassEmbeddings {
  const byKey = new Map<string, Float32Array>();
  for (const row of table.rows) {
    const key = classNameKey(row.name);
    if (!byKey.has(key)) byKey.set(key, row.vector);
  }
  const rows = new Float32Array(classes.length * table.dim);
  const missing: string[] = [];
  classes.forEach((c, i) => {
    const key = [c.name, ...c.aliases].map(classNameKey).find((k) => byKey.has(k));
    if (key === undefined) missing.push(c.aliases.length ? `${c.name} (or ${c.aliases.join(', ')})` : c.name);
    else rows.set(byKey.get(key) as Float32Array, i * table.dim);
  });
  if (missing.length) {
    throw new DataError(table.file, `no vector for ${missing.length} class(es): ${missing.map((m) => `"${m}"`).join(', ')}`);
  }
  return { dim: table.dim, rows };
}

function fromNpy(classes: readonly DatasetClass[], file: string, namesFile: string | undefined): ClassEmbeddings {
  const { shape, data } = readNpy(file);
  if (shape.length !== 2) throw new DataError(file, `.npy shape is (${shape.join(', ')}), expected (classes, dim)`);
  const [count, dim] = shape;
  const vectorAt = (r: number) => Float32Array.from(data.subarray(r * dim, (r + 1) * dim));
  if (namesFile !== undefined) {
    let names: string[];
    try {
      names = fs.readFileSync(namesFile, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
    } catch (e) {
      throw new DataError(namesFile, `cannot read the class-name list (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
    if (names.length !== count) throw new DataError(namesFile, `lists ${names.length} names but ${file} has ${count} rows`);
    return byName(classes, { file, dim, rows: names.map((name, r) => ({ name, vector: vectorAt(r) })) });
  }
  const rows = new Float32Array(classes.length * dim);
  classes.forEach((c, i) => {
    if (c.labelId >= count) {
      throw new DataError(file, `has ${count} rows but class "${c.name}" has label ${c.labelId} (rows are read as label values; give a names file to match by name)`);
    }
    rows.set(vectorAt(c.labelId), i * dim);
  });
  return { dim, rows };
}
