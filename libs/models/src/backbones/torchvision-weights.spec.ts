import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { useTempDir } from '@zls/testing';
import { f32Entry, writeSafetensors, type SafetensorsEntry } from '../checkpoint/safetensors';
import { DeepLabResNet, DeepLabResNetOptions } from './deeplab-resnet';
import { loadTorchvisionResnetWeights } from './torchvision-weights';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const options = (extra: Partial<DeepLabResNetOptions> = {}) => Object.assign(new DeepLabResNetOptions(), { depth: 18, baseWidth: 2, outputStride: 16, ...extra });

/** A torchvision-layout file for the same architecture: OIHW convolutions, value = a code of (key, index). */
function torchvisionFile(model: DeepLabResNet, prefix = ''): Map<string, SafetensorsEntry> {
  const tensors = new Map<string, SafetensorsEntry>();
  let k = 0;
  for (const [name, v] of model.namedVariables()) {
    const s = v.shape as number[];
    const shape = v.rank === 4 ? [s[3], s[2], s[0], s[1]] : [...s];
    const code = k++;
    tensors.set(prefix + name, f32Entry(Float32Array.from({ length: v.size }, (_, i) => code + i / 1000), shape));
  }
  tensors.set(`${prefix}fc.weight`, f32Entry(new Float32Array(8), [4, 2]));
  tensors.set(`${prefix}bn1.num_batches_tracked`, { dtype: 'I64', shape: [], bytes: new Uint8Array(8) });
  return tensors;
}

describe('torchvision ResNet weights', () => {
  const dir = useTempDir('zls-tv-');

  it('loads OIHW convolutions transposed to HWIO, BN statistics as they are, ignoring fc and counters', () => {
    const file = join(dir(), 'resnet18.safetensors');
    const template = new DeepLabResNet(options());
    writeSafetensors(file, { tensors: torchvisionFile(template, 'module.'), metadata: { format: 'pt' } });
    const model = new DeepLabResNet(options({ weights: file, seed: 9 }));
    const named = model.namedVariables();
    // conv1.weight is the first tensor (code 0): torch [o, i, h, w] at flat ((o·3 + i)·7 + h)·7 + w.
    const conv1 = named.get('conv1.weight') as tf.Variable; // HWIO [7, 7, 3, 2]
    const hwio = conv1.arraySync() as number[][][][];
    for (const [o, i, h, w] of [
      [0, 0, 0, 0],
      [1, 2, 3, 4],
      [1, 0, 6, 5],
    ]) {
      expect(hwio[h][w][i][o]).toBe(Math.fround((((o * 3 + i) * 7 + h) * 7 + w) / 1000));
    }
    const keys = [...named.keys()];
    const rv = keys.indexOf('layer3.0.downsample.1.running_var');
    expect(Array.from((named.get('layer3.0.downsample.1.running_var') as tf.Variable).dataSync())).toEqual(Array.from({ length: 8 }, (_, i) => Math.fround(rv + i / 1000)));
    template.dispose();
    model.dispose();
  });

  it('names missing keys, wrong shapes and foreign keys', () => {
    const template = new DeepLabResNet(options());
    const tensors = torchvisionFile(template);
    tensors.delete('layer2.1.bn2.running_mean');
    tensors.set('layer1.0.conv1.weight', f32Entry(new Float32Array(2 * 2 * 9), [2, 2, 3, 3].reverse()));
    tensors.set('aux.weight', f32Entry(new Float32Array(1), [1]));
    const file = join(dir(), 'bad.safetensors');
    writeSafetensors(file, { tensors, metadata: {} });
    const model = new DeepLabResNet(options());
    expect(() => loadTorchvisionResnetWeights(model, file)).toThrow(
      /bad\.safetensors: not a matching torchvision ResNet: 'layer1\.0\.conv1\.weight' is \[3, 3, 2, 2\], expected \[2, 2, 3, 3\]; missing 'layer2\.1\.bn2\.running_mean' \[4\]; unused 'aux\.weight'/,
    );
    template.dispose();
    model.dispose();
  });
});
