import * as tf from '@tensorflow/tfjs';
import { ZlsError } from '@zls/core';
import { entryToFloat32, type SafetensorsFile } from '../checkpoint/safetensors';
import { readWeightsFile } from '../checkpoint/pth/read-weights-file';
import type { NamedWeights } from '../onnx/exportable';
import { oihwToHwio } from '../onnx/weights';

/** Keys a torchvision ResNet file has that a DeepLab backbone does not use. */
const IGNORED = [/^fc\./, /\.num_batches_tracked$/];
/** Wrappers other tools put around the names ('module.' from DataParallel, 'backbone.' from detection code). */
const PREFIXES = ['module.', 'backbone.', 'model.'];

/**
 * Loads torchvision-named ResNet weights (PyTorch OIHW convolutions) from a .safetensors or PyTorch .pth file into a
 * backbone whose parameters use the same names. Every backbone parameter must be found with a matching
 * shape; unused keys other than the classifier are reported too, since they signal a different network.
 */
export function loadTorchvisionResnetWeights(backbone: NamedWeights, file: string | SafetensorsFile, source = typeof file === 'string' ? file : 'weights'): void {
  const { tensors } = typeof file === 'string' ? readWeightsFile(file) : file;
  const byName = new Map<string, string>();
  for (const key of tensors.keys()) {
    const prefix = PREFIXES.find((p) => key.startsWith(p));
    byName.set(prefix ? key.slice(prefix.length) : key, key);
  }
  const params = backbone.namedVariables();
  const problems: string[] = [];
  const loads: [tf.Variable, Float32Array][] = [];
  for (const [name, v] of params) {
    const key = byName.get(name);
    const e = key === undefined ? undefined : tensors.get(key);
    if (!e) {
      problems.push(`missing '${name}' [${expectedShape(v).join(', ')}]`);
      continue;
    }
    const want = expectedShape(v);
    if (e.shape.length !== want.length || e.shape.some((d, i) => d !== want[i])) {
      problems.push(`'${key}' is [${e.shape.join(', ')}], expected [${want.join(', ')}]`);
      continue;
    }
    const values = entryToFloat32(e, key as string, source);
    loads.push([v, v.rank === 4 ? oihwToHwio(values, e.shape) : values]);
  }
  const used = new Set(params.keys());
  for (const name of byName.keys()) if (!used.has(name) && !IGNORED.some((r) => r.test(name))) problems.push(`unused '${byName.get(name)}'`);
  if (problems.length) throw new ZlsError(`${source}: not a matching torchvision ResNet: ${problems.slice(0, 8).join('; ')}${problems.length > 8 ? ` (+${problems.length - 8} more)` : ''}`);
  for (const [v, values] of loads) v.assign(tf.tensor(values, v.shape, 'float32'));
}

/** torchvision shape of a parameter: OIHW for convolutions, as stored for 1-D ones. */
function expectedShape(v: tf.Variable): number[] {
  if (v.rank !== 4) return [...v.shape];
  const [kh, kw, cin, cout] = v.shape;
  return [cout, cin, kh, kw];
}
