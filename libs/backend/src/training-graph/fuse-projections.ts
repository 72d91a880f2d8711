import type { OnnxGraphIR, OnnxNodeSpec } from '../onnx/onnx-graph-builder';

function isPlainPointwiseConv(node: OnnxNodeSpec): boolean {
  if (node.opType !== 'Conv') return false;
  const a = node.attrs;
  const ones = (v: unknown) => v === undefined || (v as number[]).every((x) => x === 1);
  const zeros = (v: unknown) => v === undefined || (v as number[]).every((x) => x === 0);
  return (a['kernel_shape'] as number[] | undefined)?.join() === '1,1' && ones(a['strides']) && ones(a['dilations']) && zeros(a['pads']) && ((a['group'] as number | undefined) ?? 1) === 1;
}

/**
 * Rewrites a 1×1 convolution W (+ b) followed by a 1×1 convolution with a constant, untrained weight E (SPNet's
 * projection to the embedding space, then the scores against fixed class embeddings) into one 1×1 convolution
 * with weight E·W and bias E·b, computed inside the graph from the trained W and b — the same function, and the
 * same gradient for W and b, without the D-channel feature map (synthetic-benchmark.md §2). `trained` names the
 * parameters; a constant E must not be among them.
 */
export function fuseConstantProjections(ir: OnnxGraphIR, trained: ReadonlySet<string>): OnnxGraphIR {
  const consumers = new Map<string, number>();
  for (const n of ir.nodes) for (const i of n.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const outputs = new Set(ir.outputs.map((o) => o.name));
  const inits = new Map(ir.initializers.map((i) => [i.name, i]));
  const producer = new Map<string, OnnxNodeSpec>();
  for (const n of ir.nodes) for (const o of n.outputs) producer.set(o, n);
  const removed = new Set<string>();
  const replacements = new Map<string, OnnxNodeSpec[]>();
  const shapeConstants = new Map<string, [string, number[]][]>();
  for (const second of ir.nodes) {
    if (!isPlainPointwiseConv(second) || second.inputs.length > 2) continue;
    const e = inits.get(second.inputs[1]);
    const first = producer.get(second.inputs[0]);
    if (!e || trained.has(e.name) || !first || !isPlainPointwiseConv(first)) continue;
    if (consumers.get(first.outputs[0]) !== 1 || outputs.has(first.outputs[0])) continue;
    const [k, d] = e.dims;
    const tag = `${second.name}__fused`;
    const nodes: OnnxNodeSpec[] = [];
    const add = (opType: string, inputs: string[], out: string, attrs: OnnxNodeSpec['attrs'] = {}) => nodes.push({ opType, inputs, outputs: [out], attrs, name: `${tag}_${nodes.length}`, domain: '' });
    // Reshape targets as int64 initializers named after the node, added with the new nodes below.
    const shapeNames = { e2: `${tag}_e2d`, w2: `${tag}_w2d`, w4: `${tag}_w4d`, col: `${tag}_col`, vec: `${tag}_vec` };
    add('Reshape', [e.name, shapeNames.e2], `${tag}_E`);
    add('Reshape', [first.inputs[1], shapeNames.w2], `${tag}_W`);
    add('MatMul', [`${tag}_E`, `${tag}_W`], `${tag}_EW`);
    add('Reshape', [`${tag}_EW`, shapeNames.w4], `${tag}_weight`);
    const convInputs = [first.inputs[0], `${tag}_weight`];
    if (first.inputs[2]) {
      add('Reshape', [first.inputs[2], shapeNames.col], `${tag}_b`);
      add('MatMul', [`${tag}_E`, `${tag}_b`], `${tag}_Eb`);
      add('Reshape', [`${tag}_Eb`, shapeNames.vec], `${tag}_bias`);
      convInputs.push(`${tag}_bias`);
    }
    nodes.push({ ...second, inputs: convInputs });
    removed.add(first.name);
    replacements.set(second.name, nodes);
    shapeConstants.set(second.name, [
      [shapeNames.e2, [k, d]],
      [shapeNames.w2, [d, -1]],
      [shapeNames.w4, [k, -1, 1, 1]],
      [shapeNames.col, [d, 1]],
      [shapeNames.vec, [k]],
    ]);
  }
  if (removed.size === 0) return ir;
  const nodes: OnnxNodeSpec[] = [];
  const initializers = [...ir.initializers];
  for (const n of ir.nodes) {
    if (removed.has(n.name)) continue;
    const r = replacements.get(n.name);
    if (!r) {
      nodes.push(n);
      continue;
    }
    nodes.push(...r);
    for (const [name, values] of shapeConstants.get(n.name) ?? []) initializers.push({ name, type: 'int64', dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) });
  }
  return { ...ir, nodes, initializers };
}
