import { loadPlugins, type Registries } from '@zls/core';
import { describeDatasetContract, writeTinyDatasetPlugin } from '@zls/testing';
import { COCO_FIXTURE_ROOT, tempDir, VOC_FIXTURE_ROOT } from '../real-fixtures';
import { dataRegistries } from '../registrations';
import { datasetClassSpace } from '../splits/dataset-class-space';
import { datasetFamily, datasetFamilyNames } from './dataset-families';

// The built-in datasets on their shipped fixtures, and a plugin's, read through the registries as a run does.
const registries: Registries = dataRegistries();
const plugin = tempDir('dataset-contract');
beforeAll(async () => {
  await loadPlugins([writeTinyDatasetPlugin(plugin.dir)], registries, plugin.dir);
});
afterAll(() => plugin.remove());

const contract = (type: string, options: Record<string, unknown>, extra: { files?: { root: string; split: string }; masksUnseen?: boolean } = {}) =>
  describeDatasetContract(`${type}, split ${String(options['split'] ?? 'default')}`, {
    build: () => registries.dataset.build({ type, ...options }, 'dataset'),
    family: () => datasetFamily(type, {}, registries),
    ...extra,
  });

contract('synthetic', { split: 'train', nTrain: 4, size: 32 }, { masksUnseen: true });
contract('voc12', { root: VOC_FIXTURE_ROOT, split: 'val' }, { files: { root: VOC_FIXTURE_ROOT, split: 'val' } });
contract('voc12', { root: VOC_FIXTURE_ROOT, split: 'trainval' }, { files: { root: VOC_FIXTURE_ROOT, split: 'trainval' }, masksUnseen: true });
contract('cocostuff', { root: COCO_FIXTURE_ROOT }, { files: { root: COCO_FIXTURE_ROOT, split: 'train2017' }, masksUnseen: true });
contract('tiny-plugin', { split: 'train', count: 3 });

describe('dataset families', () => {
  it('are registered beside every built-in dataset, and a plugin adds its own', () => {
    expect(datasetFamilyNames(registries)).toEqual(registries.dataset.types());
    expect(datasetFamilyNames()).toEqual(['cocostuff', 'synthetic', 'voc12']);
  });

  it("give tools a plugin dataset's class space by name", () => {
    expect(datasetClassSpace('tiny-plugin', {}, registries).classes.map((c) => c.name)).toEqual(['square', 'circle']);
    expect(() => datasetClassSpace('tiny-plugin')).toThrow('unknown dataset "tiny-plugin"; expected one of cocostuff, synthetic, voc12');
  });

  it('validate their options', () => {
    expect(() => datasetFamily('voc12', { background: 'both' as never })).toThrow(/background/);
  });
});
