import { readAssetJson } from '../assets/asset-files';
import { dataAssetPath } from '../assets/asset-files';
import { embeddingTableFromJson, type EmbeddingTable } from './embedding-json-reader';

/**
 * The word-vector sets shipped per dataset (rows indexed by label value), see assets/SOURCES.md: the manifest
 * embeddings/shipped.json maps a dataset type to its sets' names and files, so a new dataset adds assets only.
 */
function shipped(dataset: string): Record<string, string> {
  return readAssetJson<Record<string, Record<string, string>>>('embeddings/shipped.json')[dataset] ?? {};
}

/** fastText ⊕ word2vec, L2-normalised per row: the SPNet/STRICT default. */
export const FASTNVEC = 'fastnvec';

/** The shipped sets of a dataset, fastnvec first when it has the two it combines; none for other datasets. */
export function shippedEmbeddingNames(dataset: string): string[] {
  const sets = Object.keys(shipped(dataset));
  return sets.includes('fasttext') && sets.includes('word2vec') ? [FASTNVEC, ...sets] : sets;
}

export function isShippedEmbedding(dataset: string, name: string): boolean {
  return shippedEmbeddingNames(dataset).includes(name);
}

export function shippedEmbeddingTable(dataset: string, name: string): EmbeddingTable {
  const relative = shipped(dataset)[name];
  if (!relative) throw new Error(`no shipped embedding "${name}" for ${dataset}`);
  return embeddingTableFromJson(readAssetJson<unknown>(relative), dataAssetPath(relative));
}
