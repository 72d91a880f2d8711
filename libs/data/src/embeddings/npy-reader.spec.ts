import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../real-fixtures';
import { readNpy } from './npy-reader';

/** Builds a .npy file by the format's definition: magic, version, header length, padded dict, raw data. */
function npyBytes(version: 1 | 2 | 3, descr: string, shape: number[], values: number[], fortran = false): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const prefix = version === 1 ? 10 : 12;
  const padded = dict + ' '.repeat((64 - ((prefix + dict.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(prefix);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(head);
  if (version === 1) head.writeUInt16LE(padded.length, 8);
  else head.writeUInt32LE(padded.length, 8);
  const size = descr.endsWith('4') ? 4 : 8;
  const data = Buffer.alloc(values.length * size);
  values.forEach((v, i) => {
    if (descr === '<f4') data.writeFloatLE(v, 4 * i);
    else if (descr === '<f8') data.writeDoubleLE(v, 8 * i);
    else if (descr === '>f4') data.writeFloatBE(v, 4 * i);
    else data.writeDoubleLE(v, 8 * i);
  });
  return Buffer.concat([head, Buffer.from(padded, version === 3 ? 'utf8' : 'latin1'), data]);
}

describe('readNpy', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir('npy')));
  afterEach(() => tmp.remove());
  const write = (name: string, bytes: Buffer) => {
    const file = path.join(tmp.dir, name);
    fs.writeFileSync(file, bytes);
    return file;
  };

  it.each([
    [1, '<f4'],
    [1, '<f8'],
    [2, '<f4'],
    [3, '<f8'],
  ] as const)('reads format version %i with dtype %s in C order', (version, descr) => {
    const values = [0.5, -1.25, 3, 1e-3, 7.75, -2];
    const { shape, data } = readNpy(write('a.npy', npyBytes(version, descr, [2, 3], values)));
    expect(shape).toEqual([2, 3]);
    const expected = descr === '<f4' ? values.map((v) => Math.fround(v)) : values;
    expect([...data]).toEqual(expected);
  });

  it('names the file and the problem for unsupported or broken arrays', () => {
    const big = write('big.npy', npyBytes(1, '>f4', [2], [1, 2]));
    expect(() => readNpy(big)).toThrow(`${big}: .npy dtype '>f4' is not supported; expected '<f4' (float32) or '<f8' (float64)`);
    const fortran = write('f.npy', npyBytes(1, '<f8', [2, 2], [1, 2, 3, 4], true));
    expect(() => readNpy(fortran)).toThrow(/f\.npy: \.npy array is in Fortran order; expected C order/);
    const whole = npyBytes(2, '<f8', [4, 3], Array.from({ length: 12 }, (_, i) => i));
    const truncated = write('t.npy', whole.subarray(0, whole.length - 8));
    expect(() => readNpy(truncated)).toThrow(/t\.npy: \.npy data is truncated: shape \(4, 3\) needs 96 bytes, file has 88/);
    const notNpy = write('n.npy', Buffer.from('hello world, not numpy'));
    expect(() => readNpy(notNpy)).toThrow(/n\.npy: not a \.npy file/);
    const v9 = Buffer.from(npyBytes(1, '<f4', [1], [1]));
    v9[6] = 9;
    expect(() => readNpy(write('v9.npy', v9))).toThrow(/format version 9\.0 is not supported/);
  });
});
