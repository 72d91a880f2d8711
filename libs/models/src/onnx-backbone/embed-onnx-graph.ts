import { ZlsError } from '@zls/core';
import type { OnnxAttrValue, OnnxGraphBuilder } from '@zls/backend';
import type { OnnxModel, OnnxTensor } from './onnx-model-reader';

/** Opset range whose operators mean the same as in the opset-17 graphs zls writes. */
const MIN_OPSET = 13;
const MAX_OPSET = 17;

function addTensor(g: OnnxGraphBuilder, name: string, t: OnnxTensor): void {
  const type = t.dataType === 1 ? 'float' : t.dataType === 7 ? 'int64' : 'int32';
  g.addInitializer(name, t.data, t.dims, type);
}

/**
 * Copies a decoded ONNX graph into `g`, renaming every value with `prefix`, feeding its one input from
 * `input`, and returns the names its outputs got. Constant nodes become initialisers.
 */
export function embedOnnxGraph(g: OnnxGraphBuilder, model: OnnxModel, input: string, prefix: string, source: string): Map<string, string> {
  const opset = model.opsets.get('') ?? model.opsets.get('ai.onnx');
  if (opset === undefined || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new ZlsError(`${source}: uses ONNX opset ${opset ?? '(none)'}; embedding needs ${MIN_OPSET}..${MAX_OPSET} (re-export it with opset 17)`);
  }
  const initNames = new Set(model.initializers.map((t) => t.name));
  const realInputs = model.inputs.filter((n) => !initNames.has(n));
  if (realInputs.length !== 1) throw new ZlsError(`${source}: a backbone model needs exactly one input, found ${realInputs.length} (${realInputs.join(', ')})`);
  const rename = (n: string) => (n === '' ? '' : n === realInputs[0] ? input : `${prefix}${n}`);
  for (const t of model.initializers) addTensor(g, rename(t.name), t);
  for (const node of model.nodes) {
    if (node.domain && node.domain !== 'ai.onnx') throw new ZlsError(`${source}: operator ${node.domain}.${node.opType} is outside the standard domain`);
    const value = node.attributes.get('value');
    if (node.opType === 'Constant' && value?.kind === 'tensor' && node.attributes.size === 1) {
      addTensor(g, rename(node.outputs[0]), value.value);
      continue;
    }
    const attrs: Record<string, OnnxAttrValue> = {};
    for (const [name, a] of node.attributes) {
      if (a.kind === 'float') attrs[name] = { float: a.value };
      else if (a.kind === 'floats') attrs[name] = { floats: a.value };
      // An empty list cannot say whether it holds ints or strings to the builder; ONNX treats absent as empty.
      else if (a.kind === 'ints' || a.kind === 'strings') {
        if (a.value.length) attrs[name] = a.value;
      } else if (a.kind === 'int' || a.kind === 'string') attrs[name] = a.value;
      else throw new ZlsError(`${source}: ${node.opType} attribute '${name}' is a tensor or graph, which cannot be embedded`);
    }
    g.addNode(node.opType, node.inputs.map(rename), node.outputs.map(rename), attrs);
  }
  return new Map(model.outputs.map((o) => [o, rename(o)]));
}
