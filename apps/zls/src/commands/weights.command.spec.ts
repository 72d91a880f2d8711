import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readPth, readSafetensors } from '@zls/models';
import { weightsCommand } from './weights.command';

const FIXTURES = path.resolve(__dirname, '../../../../libs/models/fixtures/pth');

describe('zls weights import', () => {
  it('writes a .safetensors file holding exactly the .pth state dict', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zls-weights-'));
    const out = path.join(dir, 'resnet.safetensors');
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await weightsCommand().parseAsync(['import', path.join(FIXTURES, 'state-dict.pth'), '--out', out], { from: 'user' });
    } finally {
      write.mockRestore();
    }
    const source = readPth(path.join(FIXTURES, 'state-dict.pth')).tensors;
    const written = readSafetensors(out).tensors;
    expect([...written.keys()]).toEqual([...source.keys()]);
    for (const [name, e] of source) {
      const w = written.get(name);
      expect(w?.dtype).toBe(e.dtype);
      expect(w?.shape).toEqual(e.shape);
      expect(Buffer.from(w?.bytes ?? []).equals(Buffer.from(e.bytes))).toBe(true);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a pickled module and writes nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zls-weights-'));
    const out = path.join(dir, 'm.safetensors');
    await expect(weightsCommand().parseAsync(['import', path.join(FIXTURES, 'pickled-module.pth'), '--out', out], { from: 'user' })).rejects.toThrow(/pickled module or class/);
    expect(fs.existsSync(out)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
