import { readAssetJson } from '../assets/asset-files';
import { dataAssetPath } from '../assets/asset-files';
import { embeddingTableFromJson, type EmbeddingTable } from './embedding-json-reader';

export type EmbeddingDataset = 'voc12' | 'cocostuff';

/** The word-vector sets shipped per dataset (rows indexed by label value), see assets/SOURCES.md. */
const SHIPPED: Record<EmbeddingDataset, Record<string, string>> = {
  voc12: {
    word2vec: 'embeddings/spnet_voc12_word2vec.json',
    fasttext: 'embeddings/spnet_voc12_fasttext.json',
    glove: 'embeddings/spnet_voc12_glove.json',
    'zs3-word2vec': 'embeddings/zs3_voc12_word2vec.json',
  },
  cocostuff: {
    word2vec: 'embeddings/spnet_cocostuff_word2vec.json',
    fasttext: 'embeddings/spnet_cocostuff_fasttext.json',
    glove: 'embeddings/spnet_cocostuff_glove.json',
  },
};

/** fastText ⊕ word2vec, L2-normalised per row: the SPNet/STRICT default. */
export const FASTNVEC = 'fastnvec';

export function shippedEmbeddingNames(dataset: EmbeddingDataset): string[] {
  return [FASTNVEC, ...Object.keys(SHIPPED[dataset])];
}

export function isShippedEmbedding(dataset: EmbeddingDataset, name: string): boolean {
  return name === FASTNVEC || name in SHIPPED[dataset];
}

export function shippedEmbeddingTable(dataset: EmbeddingDataset, name: string): EmbeddingTable {
  const relative = SHIPPED[dataset][name];
  if (!relative) throw new Error(`no shipped embedding "${name}" for ${dataset}`);
  return embeddingTableFromJson(readAssetJson<unknown>(relative), dataAssetPath(relative));
}
