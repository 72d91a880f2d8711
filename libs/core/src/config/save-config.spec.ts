import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { configHash } from './config-hash';
import { saveResolvedConfig } from './save-config';

describe('saveResolvedConfig', () => {
  it('writes YAML and JSON that read back to the same config, keyed by its hash', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zls-save-'));
    try {
      const config = { name: 'x', train: { lr: 1e-3, iterations: 5 }, views: [1, 1.5] };
      const hash = saveResolvedConfig(path.join(dir, 'run'), config, ['a.yaml']);
      expect(hash).toBe(configHash(config));
      expect(parse(fs.readFileSync(path.join(dir, 'run', 'config.yaml'), 'utf8'))).toEqual(config);
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'run', 'config.json'), 'utf8'))).toEqual({ hash, sourceFiles: ['a.yaml'], config });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
