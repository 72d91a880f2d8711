import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../real-fixtures';
import { classNameKey } from './class-name-key';
import { readWord2vecText } from './word2vec-text-reader';

describe('readWord2vecText', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir('w2v')));
  afterEach(() => tmp.remove());
  const write = (text: string) => {
    const file = path.join(tmp.dir, 'vectors.txt');
    fs.writeFileSync(file, text);
    return file;
  };

  it('reads the header format, keys words by class-name key, keeps the first occurrence', () => {
    const file = write('3 2\ncat 0.5 -1\npotted_plant 2 3.25\nCat 9 9\n');
    const { dim, vectors } = readWord2vecText(file);
    expect(dim).toBe(2);
    expect([...(vectors.get('cat') ?? [])]).toEqual([0.5, -1]);
    expect([...(vectors.get(classNameKey('potted plant')) ?? [])]).toEqual([2, 3.25]);
  });

  it('reads the header-less GloVe variant and keeps only the wanted words', () => {
    const file = write('the 1 2 3\nsheep 0.25 0.5 0.75\r\nsofa 4 5 6');
    const { dim, vectors } = readWord2vecText(file, new Set(['sheep', 'sofa']));
    expect(dim).toBe(3);
    expect([...vectors.keys()].sort()).toEqual(['sheep', 'sofa']);
    expect([...(vectors.get('sofa') ?? [])]).toEqual([4, 5, 6]);
  });

  it('names the file and line of a row with the wrong dimension, and a header count that does not match', () => {
    const bad = write('2 3\ncat 1 2 3\ndog 1 2\n');
    expect(() => readWord2vecText(bad)).toThrow(`${bad}:3: expected a word and 3 numbers, found 2 numbers`);
    const short = write('5 2\ncat 1 2\ndog 3 4\n');
    expect(() => readWord2vecText(short)).toThrow(`${short}: header declares 5 vectors but the file holds 2`);
    const nan = write('cat 1 x\n');
    expect(() => readWord2vecText(nan)).toThrow(`${nan}:1: value 2 of "cat" is 'x', expected a number`);
  });
});
