import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../errors';
import { loadConfig } from './load-config';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zls-config-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

describe('loadConfig', () => {
  it('merges a _base_ chain in order, the naming file last, and drops _base_', () => {
    write('_base_/schedule.yaml', 'train:\n  iterations: 100\n  lr: 0.01\n  batchSize: 8\n');
    write('_base_/model.yaml', '_base_: schedule.yaml\nmodel:\n  backbone: {type: resnet, depth: 101}\ntrain:\n  lr: 0.001\n');
    const file = write('exp/spnet.yaml', '_base_: ../_base_/model.yaml\nname: spnet\nmodel:\n  backbone: {depth: 50}\n');
    const { config, files } = loadConfig(file);
    expect(config).toEqual({
      train: { iterations: 100, lr: 0.001, batchSize: 8 },
      model: { backbone: { type: 'resnet', depth: 50 } },
      name: 'spnet',
    });
    expect(files.map((f) => path.relative(dir, f))).toEqual(['_base_/schedule.yaml', '_base_/model.yaml', 'exp/spnet.yaml']);
  });

  it('merges a list of bases left to right', () => {
    write('a.yaml', 'x: 1\ny: {p: 1}\n');
    write('b.yaml', 'x: 2\ny: {q: 2}\n');
    const { config } = loadConfig(write('c.yaml', '_base_: [a.yaml, b.yaml]\n'));
    expect(config).toEqual({ x: 2, y: { p: 1, q: 2 } });
  });

  it('replaces lists instead of merging them, and honours _delete_', () => {
    write('a.yaml', 'views: [1, 2, 3]\nhead: {type: aspp, rates: [6, 12]}\n');
    const { config } = loadConfig(write('b.yaml', '_base_: a.yaml\nviews: [4]\nhead: {_delete_: true, type: linear}\n'));
    expect(config).toEqual({ views: [4], head: { type: 'linear' } });
  });

  it('applies --set overrides with typed values after merging', () => {
    write('a.yaml', 'train: {iterations: 100}\nname: x\n');
    const { config } = loadConfig(write('b.yaml', '_base_: a.yaml\n'), [
      'train.iterations=7',
      'train.lr=1e-3',
      'name="007"',
      'model.backbone.type=resnet',
      'pseudoLabel.scales=[1.5, 1.75]',
      'train.flip=true',
    ]);
    expect(config).toEqual({
      train: { iterations: 7, lr: 0.001, flip: true },
      name: '007',
      model: { backbone: { type: 'resnet' } },
      pseudoLabel: { scales: [1.5, 1.75] },
    });
  });

  it('rejects an inheritance cycle and names the files in it', () => {
    write('a.yaml', '_base_: b.yaml\n');
    write('b.yaml', '_base_: a.yaml\n');
    expect(() => loadConfig(path.join(dir, 'a.yaml'))).toThrow(/inheritance cycle: .*a\.yaml → .*b\.yaml → .*a\.yaml/);
  });

  it('rejects a self-reference as a cycle', () => {
    expect(() => loadConfig(write('self.yaml', '_base_: self.yaml\n'))).toThrow(ConfigError);
  });

  it('accepts three levels of bases and rejects a fourth', () => {
    write('l3.yaml', 'a: 3\n');
    write('l2.yaml', '_base_: l3.yaml\n');
    write('l1.yaml', '_base_: l2.yaml\n');
    expect(loadConfig(write('l0.yaml', '_base_: l1.yaml\n')).config).toEqual({ a: 3 });
    write('l4.yaml', 'a: 4\n');
    fs.writeFileSync(path.join(dir, 'l3.yaml'), '_base_: l4.yaml\n');
    expect(() => loadConfig(path.join(dir, 'l0.yaml'))).toThrow(/deeper than 3 levels/);
  });

  it('rejects absolute base paths, missing bases and malformed YAML with the file named', () => {
    expect(() => loadConfig(write('abs.yaml', `_base_: ${path.join(dir, 'x.yaml')}\n`))).toThrow(/must be relative/);
    expect(() => loadConfig(write('missing.yaml', '_base_: nope.yaml\n'))).toThrow(/nope\.yaml: file not found/);
    expect(() => loadConfig(write('bad.yaml', 'a: [1, 2\n'))).toThrow(/bad\.yaml[\s\S]*not valid YAML/);
    expect(() => loadConfig(write('list.yaml', '- 1\n- 2\n'))).toThrow(/top level must be a mapping/);
  });

  it('rejects malformed overrides', () => {
    const file = write('a.yaml', 'name: x\n');
    expect(() => loadConfig(file, ['train.iterations'])).toThrow(/must look like key\.path=value/);
    expect(() => loadConfig(file, ['name.sub=1'])).toThrow(/name: is "x", not a mapping/);
  });
});
