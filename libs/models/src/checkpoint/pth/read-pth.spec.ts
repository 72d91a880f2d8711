import * as fs from 'node:fs';
import * as path from 'node:path';
import { entryToFloat32, type SafetensorsEntry } from '../safetensors';
import { readPth } from './read-pth';
import { readWeightsFile } from './read-weights-file';

const FIXTURES = path.resolve(__dirname, '../../../fixtures/pth');
const fixture = (name: string) => path.join(FIXTURES, name);
type Expected = Record<string, Record<string, { dtype: string; shape: number[]; values: number[] }>>;
const expected = JSON.parse(fs.readFileSync(fixture('expected.json'), 'utf8')) as Expected;

function values(e: SafetensorsEntry, name: string): number[] {
  if (e.dtype === 'I64') return Array.from(new BigInt64Array(e.bytes.buffer, e.bytes.byteOffset, e.bytes.byteLength / 8), Number);
  return Array.from(entryToFloat32(e, name, 'test'));
}

describe('readPth: state dicts written by PyTorch 1.13 (tools/make-pth-fixtures.py)', () => {
  it.each(['state-dict.pth', 'nested.pth'])('%s: every tensor with its dtype, shape and values (views, transposes, half, int64)', (file) => {
    const { tensors } = readPth(fixture(file));
    const want = expected[file];
    expect([...tensors.keys()].sort()).toEqual(Object.keys(want).sort());
    for (const [name, w] of Object.entries(want)) {
      const e = tensors.get(name) as SafetensorsEntry;
      expect(e.shape).toEqual(w.shape);
      expect(e.dtype).toBe({ float32: 'F32', float16: 'F16', int64: 'I64' }[w.dtype]);
      const got = values(e, name);
      // JSON holds PyTorch's values as float64; float32 and float16 round-trip exactly through them.
      got.forEach((v, i) => expect(v).toBeCloseTo(w.values[i], 6));
    }
  });

  it('is what readWeightsFile returns for .pth paths', () => {
    expect([...readWeightsFile(fixture('state-dict.pth')).tensors.keys()]).toContain('conv1.weight');
  });

  it.each([
    ['pickled-module.pth', /refers to torch\.nn\.modules\.linear\.Linear, which a plain state dict of tensors does not contain/],
    ['bool-storage.pth', /'mask' is stored as torch\.BoolStorage; float, int32, int64 and uint8 storages are read/],
    ['legacy.pth', /a legacy \(pre-PyTorch 1\.6\) torch\.save file/],
    ['not-a-tensor.pth', /'epoch' is a number, not a tensor/],
    ['expected.json', /not a PyTorch \.pth file/],
  ])('refuses %s with a message naming the problem', (file, message) => {
    expect(() => readPth(fixture(file))).toThrow(message);
  });

  it('names a truncated file', () => {
    const bytes = fs.readFileSync(fixture('state-dict.pth'));
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'zls-pth-'));
    const cut = path.join(dir, 'cut.pth');
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 40));
    expect(() => readPth(cut)).toThrow(/cut\.pth: /);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
