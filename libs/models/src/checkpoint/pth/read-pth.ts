import { readFileSync } from 'node:fs';
import { ZlsError } from '@zls/core';
import type { SafetensorsDtype, SafetensorsEntry, SafetensorsFile } from '../safetensors';
import { PickleCall, PickleGlobal, PicklePersistent, unpickle, type PickleValue } from './restricted-unpickler';
import { ZipArchive } from './zip-archive';

/** PyTorch storage classes → the safetensors dtype and element size they become. */
const STORAGES: Record<string, { dtype: SafetensorsDtype; bytes: number }> = {
  'torch.FloatStorage': { dtype: 'F32', bytes: 4 },
  'torch.DoubleStorage': { dtype: 'F64', bytes: 8 },
  'torch.HalfStorage': { dtype: 'F16', bytes: 2 },
  'torch.BFloat16Storage': { dtype: 'BF16', bytes: 2 },
  'torch.LongStorage': { dtype: 'I64', bytes: 8 },
  'torch.IntStorage': { dtype: 'I32', bytes: 4 },
  'torch.ByteStorage': { dtype: 'U8', bytes: 1 },
};

const ALLOWED = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  ...Object.keys(STORAGES),
  // Recognised only to name them in the error below.
  'torch.BoolStorage',
  'torch.ShortStorage',
  'torch.CharStorage',
  'torch.ComplexFloatStorage',
  'torch.ComplexDoubleStorage',
]);

/**
 * Reads a PyTorch `.pth` / `.pt` file as written by `torch.save(state_dict)` since PyTorch 1.6 (a ZIP of
 * `data.pkl` plus one raw little-endian file per storage), without Python: the tensors of a plain state dict
 * (nested dicts are flattened with dots), each gathered through its size, stride and storage offset. Refuses,
 * naming what it found, legacy (pre-1.6, non-ZIP) files, pickled modules or classes, and storages of types
 * safetensors cannot hold.
 */
export function readPth(file: string): SafetensorsFile {
  const bytes = new Uint8Array(readFileSync(file));
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] === 0x02) {
    throw new ZlsError(`${file}: a legacy (pre-PyTorch 1.6) torch.save file; re-save it with a current PyTorch (torch.save(torch.load(f), g)) or use a newer release of the weights`);
  }
  if (!(bytes[0] === 0x50 && bytes[1] === 0x4b)) throw new ZlsError(`${file}: not a PyTorch .pth file (expected a ZIP archive written by torch.save)`);
  const zip = new ZipArchive(bytes, file);
  const pkl = zip.names().find((n) => n.endsWith('/data.pkl') || n === 'data.pkl');
  if (!pkl) throw new ZlsError(`${file}: a ZIP archive without data.pkl: not written by torch.save`);
  const root = pkl.slice(0, pkl.length - 'data.pkl'.length);
  const byteorder = zip.names().includes(`${root}byteorder`) ? new TextDecoder().decode(zip.read(`${root}byteorder`)).trim() : 'little';
  if (byteorder !== 'little') throw new ZlsError(`${file}: tensors stored ${byteorder}-endian; only little-endian files are read`);
  const value = unpickle(zip.read(pkl), ALLOWED, file);
  const storages = new Map<string, Uint8Array>();
  const storage = (key: string) => {
    let s = storages.get(key);
    if (!s) storages.set(key, (s = zip.read(`${root}data/${key}`)));
    return s;
  };
  const tensors = new Map<string, SafetensorsEntry>();
  const visit = (v: PickleValue, prefix: string) => {
    if (v instanceof Map) {
      for (const [k, child] of v) {
        if (typeof k !== 'string') throw new ZlsError(`${file}: a dict key under '${prefix || '(top level)'}' is not a string`);
        visit(child, prefix ? `${prefix}.${k}` : k);
      }
      return;
    }
    if (v instanceof PickleCall) {
      tensors.set(prefix, rebuildTensor(v, storage, file, prefix));
      return;
    }
    throw new ZlsError(`${file}: '${prefix}' is ${describe(v)}, not a tensor: only plain state dicts of tensors are read`);
  };
  visit(value, '');
  if (tensors.size === 0) throw new ZlsError(`${file}: holds no tensors`);
  return { tensors, metadata: { source: 'pytorch' } };
}

function describe(v: PickleValue): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object' && 'tuple' in v) return 'a tuple';
  return typeof v === 'object' ? v.constructor.name : `a ${typeof v}`;
}

/** `_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])`, or a Parameter of one. */
function rebuildTensor(call: PickleCall, storage: (key: string) => Uint8Array, file: string, name: string): SafetensorsEntry {
  if (call.callee.qualified === 'torch._utils._rebuild_parameter') {
    const inner = call.args[0];
    if (!(inner instanceof PickleCall)) throw new ZlsError(`${file}: parameter '${name}' does not wrap a tensor`);
    return rebuildTensor(inner, storage, file, name);
  }
  if (call.callee.qualified !== 'torch._utils._rebuild_tensor_v2') throw new ZlsError(`${file}: '${name}' is built by ${call.callee.qualified}, not a tensor`);
  const [ref, offset, size, stride] = call.args;
  if (!(ref instanceof PicklePersistent) || typeof ref.id !== 'object' || ref.id === null || !('tuple' in ref.id)) throw new ZlsError(`${file}: tensor '${name}' has no storage reference`);
  const [kind, type, key] = ref.id.tuple;
  if (kind !== 'storage' || !(type instanceof PickleGlobal) || typeof key !== 'string') throw new ZlsError(`${file}: tensor '${name}' has an unreadable storage reference`);
  const info = STORAGES[type.qualified];
  if (!info) throw new ZlsError(`${file}: tensor '${name}' is stored as ${type.qualified}; float, int32, int64 and uint8 storages are read`);
  const shape = tupleOfInts(size, file, name);
  const strides = tupleOfInts(stride, file, name);
  if (typeof offset !== 'number') throw new ZlsError(`${file}: tensor '${name}' has a non-integer storage offset`);
  const data = storage(key);
  const count = shape.reduce((a, b) => a * b, 1);
  const contiguous = shape.every((_, d) => shape[d] === 1 || strides[d] === shape.slice(d + 1).reduce((a, b) => a * b, 1));
  if (contiguous) {
    const begin = offset * info.bytes;
    if (begin + count * info.bytes > data.length) throw new ZlsError(`${file}: tensor '${name}' reads past the end of its storage`);
    return { dtype: info.dtype, shape, bytes: data.slice(begin, begin + count * info.bytes) };
  }
  const out = new Uint8Array(count * info.bytes);
  // Gather element by element through the strides (views, transposes and shared storages all land here).
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < count; i++) {
    let at = offset;
    for (let d = 0; d < shape.length; d++) at += index[d] * strides[d];
    const from = at * info.bytes;
    if (from + info.bytes > data.length) throw new ZlsError(`${file}: tensor '${name}' reads past the end of its storage`);
    out.set(data.subarray(from, from + info.bytes), i * info.bytes);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return { dtype: info.dtype, shape, bytes: out };
}

function tupleOfInts(v: PickleValue, file: string, name: string): number[] {
  if (!v || typeof v !== 'object' || !('tuple' in v) || !v.tuple.every((x) => typeof x === 'number')) throw new ZlsError(`${file}: tensor '${name}' has a malformed size or stride`);
  return v.tuple as number[];
}
