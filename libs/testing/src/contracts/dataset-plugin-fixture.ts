import * as fs from 'node:fs';
import * as path from 'node:path';
import { PLUGIN_API_VERSION } from '@zls/core';

export const TINY_PLUGIN_NAME = 'zls-plugin-tiny-dataset';

/**
 * Writes a plugin package, plain JavaScript in `dir`/node_modules as an installed plugin would be, that registers
 * dataset `tiny-plugin` (options `split`, `count`; 4×4 images filled with the sample index, labels alternating
 * between seen class 0 and unseen class 1), its family, and transform `tiny-offset` (adds `by` to every pixel).
 * Its dependencies are required by absolute path: the folder is outside the workspace. Returns the package name.
 */
export function writeTinyDatasetPlugin(dir: string): string {
  const root = path.join(dir, 'node_modules', TINY_PLUGIN_NAME);
  fs.mkdirSync(root, { recursive: true });
  const req = (pkg: string) => `require(${JSON.stringify(require.resolve(pkg))})`;
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: TINY_PLUGIN_NAME, main: 'index.js' }));
  fs.writeFileSync(
    path.join(root, 'index.js'),
    `const { inject, injectable } = ${req('tsyringe')};
const { IsIn, IsInt, IsNumber, IsOptional, IsString, Min } = ${req('class-validator')};
const OPTIONS = Symbol.for('zls.Options');
const decorate = (cls, rules) => { for (const [key, list] of Object.entries(rules)) for (const rule of list) rule(cls.prototype, key); };
const component = (cls) => { inject(OPTIONS)(cls, undefined, 0); injectable()(cls); };

const space = {
  name: 'tiny-plugin', numClasses: 2, seenIndices: [0], unseenIndices: [1], backgroundIsClass: false, backgroundIndex: undefined,
  classes: [{ index: 0, labelId: 0, name: 'square', role: 'seen' }, { index: 1, labelId: 1, name: 'circle', role: 'unseen' }],
  embeddingDim: 2, embeddings: new Float32Array([1, 0, 0, 1]),
  outputIndexOf: (id) => (id === 0 || id === 1 ? id : 255), labelIdOf: (index) => index,
};

class TinyOptions { constructor() { this.split = 'train'; this.count = 6; } }
decorate(TinyOptions, { split: [IsString()], count: [IsInt(), Min(1)] });
class TinyDataset {
  constructor(options) {
    this.name = 'tiny-plugin'; this.split = options.split; this.classSpace = space;
    this.ids = Array.from({ length: options.count }, (_, i) => 'tiny-' + i);
  }
  async get(i) {
    if (!(Number.isInteger(i) && i >= 0 && i < this.ids.length)) throw new Error('tiny-plugin: sample index ' + i + ' outside the split');
    const label = () => ({ data: new Uint8Array(16).fill(i % 2), height: 4, width: 4 });
    return { id: this.ids[i], image: { data: new Float32Array(48).fill(i), height: 4, width: 4, channels: 3 }, target: label(), hidden: label() };
  }
}
component(TinyDataset);

class FamilyOptions {}
decorate(FamilyOptions, { background: [IsOptional(), IsIn(['ignore', 'class'])] });
class TinyFamily {
  constructor() { this.labels = { space, datasetLabelIds: [0, 1] }; this.backgroundLabelId = undefined; this.embeddings = []; this.defaultUnseenPixels = 'ignore'; }
}
component(TinyFamily);

class OffsetOptions { constructor() { this.by = 100; } }
decorate(OffsetOptions, { by: [IsNumber()] });
class OffsetTransform {
  constructor(options) { this.by = options.by; }
  apply(sample) { return { ...sample, image: { ...sample.image, data: sample.image.data.map((v) => v + this.by) } }; }
}
component(OffsetTransform);

module.exports = { default: { name: '${TINY_PLUGIN_NAME}', apiVersion: ${PLUGIN_API_VERSION}, register(r) {
  r.dataset.register('tiny-plugin', TinyDataset, TinyOptions, 'a plugin dataset', '${TINY_PLUGIN_NAME}');
  r.of('dataset-family').register('tiny-plugin', TinyFamily, FamilyOptions, 'its family', '${TINY_PLUGIN_NAME}');
  r.transform.register('tiny-offset', OffsetTransform, OffsetOptions, 'adds a constant', '${TINY_PLUGIN_NAME}');
} } };
`,
  );
  return TINY_PLUGIN_NAME;
}
