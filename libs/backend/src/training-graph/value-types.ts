import { ZlsError } from '@zls/core';
import type { OnnxElemType, OnnxGraphIR } from '../onnx/onnx-graph-builder';

// ONNX TensorProto.DataType → the element types the project uses (Cast's `to`).
const CAST_TO: Record<number, OnnxElemType> = { 1: 'float', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 9: 'bool' };
const BOOL_OPS = new Set(['Greater', 'Less', 'Equal', 'GreaterOrEqual', 'LessOrEqual', 'Not', 'And', 'Or']);
const INT64_OPS = new Set(['Shape', 'Size', 'ArgMax', 'ArgMin', 'NonZero']);

/**
 * The element type of every value in a graph, propagated from inputs and initializers through the nodes:
 * a training graph differentiates only float values, and the shape probe can only declare typed outputs.
 */
export function valueTypes(ir: OnnxGraphIR): Map<string, OnnxElemType> {
  const types = new Map<string, OnnxElemType>();
  for (const v of ir.inputs) types.set(v.name, v.type);
  for (const v of ir.initializers) types.set(v.name, v.type);
  for (const node of ir.nodes) {
    const first = node.inputs.find((i) => i !== '');
    const inType = first ? types.get(first) : undefined;
    node.outputs.forEach((out, k) => {
      let t: OnnxElemType | undefined;
      if (node.opType === 'Cast') t = CAST_TO[node.attrs['to'] as number];
      else if (BOOL_OPS.has(node.opType)) t = 'bool';
      else if (INT64_OPS.has(node.opType) || (node.opType === 'MaxPool' && k === 1)) t = 'int64';
      else if (node.opType === 'Where') t = types.get(node.inputs[1]);
      else if (node.opType === 'ConstantOfShape') t = 'float';
      else t = inType;
      if (!t) throw new ZlsError(`training graph: cannot tell the element type of '${out}' (output of ${node.opType} '${node.name}')`);
      types.set(out, t);
    });
  }
  return types;
}
