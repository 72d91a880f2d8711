import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataAssetPath } from '../assets/asset-files';
import { tempDir } from '../real-fixtures';
import { vocDatasetClasses, type DatasetClass } from '../splits/dataset-classes';
import { classEmbeddings } from './class-embeddings';

interface RawTable {
  classes: { id: number; name: string; vector: number[] }[];
}
const raw = (file: string): RawTable => JSON.parse(fs.readFileSync(dataAssetPath('embeddings', file), 'utf8'));

describe('classEmbeddings with the shipped sets', () => {
  const voc = vocDatasetClasses();

  it('fastnvec = [fastText | word2vec] then L2-normalised, against a naive float64 computation', () => {
    const { dim, rows } = classEmbeddings(voc, { dataset: 'voc12', embedding: 'fastnvec' });
    expect(dim).toBe(600);
    const ft = raw('spnet_voc12_fasttext.json');
    const w2v = raw('spnet_voc12_word2vec.json');
    voc.forEach((c, r) => {
      const concat = [...(ft.classes.find((x) => x.id === c.labelId)?.vector ?? []), ...(w2v.classes.find((x) => x.id === c.labelId)?.vector ?? [])];
      expect(concat).toHaveLength(600);
      const norm = Math.sqrt(concat.reduce((s, v) => s + v * v, 0));
      for (let d = 0; d < 600; d++) expect(Math.abs(rows[r * 600 + d] - concat[d] / norm)).toBeLessThan(1e-7);
    });
    // Each 300-d half is (almost) unit-norm, so each contributes 1/√2 of the row.
    let half = 0;
    for (let d = 0; d < 300; d++) half += rows[d] * rows[d];
    expect(Math.sqrt(half)).toBeCloseTo(Math.SQRT1_2, 5);
  });

  it('gives the rows of the classes asked for, in their order', () => {
    const picked = [voc[17], voc[3]]; // sheep, bird
    const { rows } = classEmbeddings(picked, { dataset: 'voc12', embedding: 'glove' });
    const glove = raw('spnet_voc12_glove.json');
    expect(rows[0]).toBeCloseTo(glove.classes[17].vector[0], 6);
    expect(rows[300 + 299]).toBeCloseTo(glove.classes[3].vector[299], 6);
  });

  it('reads ZS3Net word2vec (unnormalised, named "table" for diningtable) and COCO-Stuff sets', () => {
    const zs3 = classEmbeddings(voc, { dataset: 'voc12', embedding: 'zs3-word2vec' });
    expect(zs3.rows[11 * 300]).toBeCloseTo(raw('zs3_voc12_word2vec.json').classes[11].vector[0], 6);
    expect(() => classEmbeddings(voc, { dataset: 'voc12', embedding: 'fastnvec', expectedDim: 300 })).toThrow(
      'embedding "fastnvec" has dimension 600, expected 300',
    );
  });

  it('rejects a name that is neither a shipped set nor a file', () => {
    expect(() => classEmbeddings(voc, { dataset: 'cocostuff', embedding: 'zs3-word2vec' })).toThrow(
      /neither a shipped set for cocostuff \(fastnvec, word2vec, fasttext, glove\) nor an existing file/,
    );
  });
});

describe('classEmbeddings from user files, matched by class name', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir('emb')));
  afterEach(() => tmp.remove());
  const classes: DatasetClass[] = [
    { labelId: 16, name: 'pottedplant', aliases: ['potted_plant'] },
    { labelId: 17, name: 'sheep', aliases: [] },
    { labelId: 20, name: 'tvmonitor', aliases: ['tv'] },
  ];
  const file = (name: string, content: string | Buffer) => {
    const f = path.join(tmp.dir, name);
    fs.writeFileSync(f, content);
    return f;
  };

  it('reads a JSON mapping, matching spellings through the class-name key and aliases', () => {
    const f = file('e.json', JSON.stringify({ 'Potted Plant': [1, 0], sheep: [0, 2], tv: [3, 4], unused: [9, 9] }));
    const { dim, rows } = classEmbeddings(classes, { dataset: 'voc12', embedding: f });
    expect(dim).toBe(2);
    expect([...rows]).toEqual([1, 0, 0, 2, 3, 4]);
  });

  it('names the missing classes and a vector of the wrong dimension', () => {
    const missing = file('m.json', JSON.stringify({ classes: [{ name: 'sheep', vector: [1, 2] }] }));
    expect(() => classEmbeddings(classes, { dataset: 'voc12', embedding: missing })).toThrow(
      `${missing}: no vector for 2 class(es): "pottedplant (or potted_plant)", "tvmonitor (or tv)"`,
    );
    const wrongDim = file('d.json', JSON.stringify({ dim: 2, classes: [{ name: 'sheep', vector: [1, 2, 3] }] }));
    expect(() => classEmbeddings(classes, { dataset: 'voc12', embedding: wrongDim })).toThrow(
      `${wrongDim}: vector of "sheep" has 3 values, expected 2 (the declared "dim")`,
    );
  });

  it('reads word2vec text and .npy (rows by label value, or by a names file)', () => {
    const txt = file('v.txt', '4 2\nsheep 1 2\npotted_plant 3 4\ntv 5 6\nthe 0 0\n');
    expect([...classEmbeddings(classes, { dataset: 'voc12', embedding: txt }).rows]).toEqual([3, 4, 1, 2, 5, 6]);

    const npy = (rows: number, dim: number) => {
      const dict = `{'descr': '<f8', 'fortran_order': False, 'shape': (${rows}, ${dim}), }`;
      const header = dict + ' '.repeat(64 - ((10 + dict.length + 1) % 64)) + '\n';
      const head = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
      head.writeUInt16LE(header.length, 8);
      const data = Buffer.alloc(rows * dim * 8);
      for (let i = 0; i < rows * dim; i++) data.writeDoubleLE(i, 8 * i);
      return Buffer.concat([head, Buffer.from(header, 'latin1'), data]);
    };
    const byId = file('w.npy', npy(21, 2));
    expect([...classEmbeddings(classes, { dataset: 'voc12', embedding: byId }).rows]).toEqual([32, 33, 34, 35, 40, 41]);
    const names = file('names.txt', 'tv\nsheep\npotted plant\n');
    const byName = file('n.npy', npy(3, 2));
    expect([...classEmbeddings(classes, { dataset: 'voc12', embedding: byName, namesFile: names }).rows]).toEqual([4, 5, 2, 3, 0, 1]);
    const short = file('s.npy', npy(18, 2));
    expect(() => classEmbeddings(classes, { dataset: 'voc12', embedding: short })).toThrow(
      `${short}: has 18 rows but class "tvmonitor" has label 20`,
    );
  });
});
