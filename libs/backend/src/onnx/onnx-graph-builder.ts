import { ZlsError } from '@zls/core';
import { ProtoWriter } from './protobuf-writer';

/** ONNX TensorProto.DataType values for the element types the project uses. */
export const OnnxDataType = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9 } as const;
export type OnnxElemType = keyof typeof OnnxDataType;

/** A dimension: a fixed size, or a symbolic name (e.g. 'batch') for a size chosen at run time. */
export type OnnxDim = number | string;

export type OnnxAttrValue = number | string | number[] | string[] | { floats: number[] } | { float: number };

export interface OnnxNodeSpec {
  opType: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, OnnxAttrValue>;
  name: string;
  domain: string;
}

export interface ValueSpec {
  name: string;
  type: OnnxElemType;
  /** null: the shape is left for onnxruntime to infer (an output whose rank is not known in advance). */
  dims: OnnxDim[] | null;
}

export interface InitializerSpec {
  name: string;
  type: OnnxElemType;
  dims: number[];
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array;
  origin?: InitializerOrigin;
}

/**
 * The model variable an initializer was written from, so a training graph can train it and copy it back:
 * `hwio-to-oihw` marks a tfjs convolution filter transposed to ONNX's layout.
 */
export interface InitializerOrigin {
  variable: object;
  layout: 'same' | 'hwio-to-oihw';
}

/** The parts of a graph as added to a builder, in order. */
export interface OnnxGraphIR {
  name: string;
  inputs: readonly ValueSpec[];
  outputs: readonly ValueSpec[];
  initializers: readonly InitializerSpec[];
  nodes: readonly OnnxNodeSpec[];
}

// Field numbers from onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto).
const ATTR_TYPE = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

/**
 * Builds an ONNX model (opset 17, IR version 8) and serialises it to protobuf bytes that onnxruntime loads.
 * Integer attributes are written as INT/INTS; pass `{float: x}` / `{floats: [...]}` for float attributes,
 * since a JavaScript number alone cannot say which the operator expects.
 */
export class OnnxGraphBuilder {
  private readonly inputs: ValueSpec[] = [];
  private readonly outputs: ValueSpec[] = [];
  private readonly initializers: InitializerSpec[] = [];
  private readonly nodes: OnnxNodeSpec[] = [];
  private readonly names = new Set<string>();
  /** Names that fresh temporaries avoid (values a transformation will copy in later). */
  private readonly reserved = new Set<string>();
  private nodeCounter = 0;
  private tempCounter = 0;
  /** ModelProto.metadata_props: what a reader of the file needs besides the graph (label ids, normalisation). */
  readonly metadata: Record<string, string> = {};

  constructor(
    readonly graphName = 'zls',
    readonly opsetVersion = 17,
  ) {}

  private claim(name: string, what: string): void {
    if (!name) throw new ZlsError(`ONNX graph '${this.graphName}': ${what} needs a non-empty name`);
    if (this.names.has(name)) throw new ZlsError(`ONNX graph '${this.graphName}': value '${name}' is defined twice`);
    this.names.add(name);
  }

  /** A fresh value name, for intermediate outputs. */
  temp(prefix = 't'): string {
    let name: string;
    do name = `${prefix}_${this.tempCounter++}`;
    while (this.names.has(name) || this.reserved.has(name));
    return name;
  }

  /** Keeps temp() from handing out these names, which the caller will define itself. */
  reserveNames(names: Iterable<string>): this {
    for (const n of names) this.reserved.add(n);
    return this;
  }

  addInput(name: string, dims: OnnxDim[], type: OnnxElemType = 'float'): this {
    this.claim(name, 'an input');
    this.inputs.push({ name, type, dims });
    return this;
  }

  /**
   * A parameter written again from the same variable, under the same name and layout, is the same initializer
   * (a network applied to several inputs shares its weights: SPNet's multi-scale branches): the second write
   * adds nothing. Any other name clash is an error.
   */
  addInitializer(name: string, data: Float32Array | Int32Array | BigInt64Array | Uint8Array, dims: number[], type?: OnnxElemType, origin?: InitializerOrigin): this {
    if (origin && this.names.has(name)) {
      const same = this.initializers.find((i) => i.name === name);
      if (same?.origin?.variable === origin.variable && same.origin.layout === origin.layout && same.dims.join() === dims.join()) return this;
    }
    this.claim(name, 'an initializer');
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) {
      throw new ZlsError(`ONNX initializer '${name}': ${data.length} values do not fill dims [${dims.join(', ')}] (${size})`);
    }
    const inferred: OnnxElemType =
      type ?? (data instanceof Float32Array ? 'float' : data instanceof Int32Array ? 'int32' : data instanceof BigInt64Array ? 'int64' : 'uint8');
    this.initializers.push({ name, type: inferred, dims: [...dims], data, origin });
    return this;
  }

  /** int64 constant (shapes, axes, sizes), the type most ONNX shape inputs require. */
  addInt64Initializer(name: string, values: number[]): this {
    return this.addInitializer(name, BigInt64Array.from(values.map((v) => BigInt(v))), [values.length], 'int64');
  }

  addNode(opType: string, inputs: string[], outputs: string[], attrs: Record<string, OnnxAttrValue> = {}, domain = ''): this {
    if (outputs.length === 0) throw new ZlsError(`ONNX node ${opType}: needs at least one output`);
    for (const o of outputs) this.claim(o, `output of ${opType}`);
    this.nodes.push({ opType, inputs: [...inputs], outputs: [...outputs], attrs, name: `${opType}_${this.nodeCounter++}`, domain });
    return this;
  }

  /** Adds a node with a single fresh output and returns that output's name. */
  op(opType: string, inputs: string[], attrs: Record<string, OnnxAttrValue> = {}): string {
    const out = this.temp(opType.toLowerCase());
    this.addNode(opType, inputs, [out], attrs);
    return out;
  }

  addOutput(name: string, dims: OnnxDim[] | null, type: OnnxElemType = 'float'): this {
    if (!this.names.has(name)) throw new ZlsError(`ONNX graph '${this.graphName}': output '${name}' is not produced by any node or input`);
    this.outputs.push({ name, type, dims });
    return this;
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  /** A builder holding exactly the given graph (to serialise a transformed IR, or extend it). */
  static fromIR(ir: OnnxGraphIR, opsetVersion = 17): OnnxGraphBuilder {
    const g = new OnnxGraphBuilder(ir.name, opsetVersion);
    for (const v of ir.inputs) g.addInput(v.name, v.dims ?? [], v.type);
    for (const i of ir.initializers) g.addInitializer(i.name, i.data, i.dims, i.type, i.origin);
    for (const n of ir.nodes) g.addNode(n.opType, n.inputs, n.outputs, n.attrs, n.domain);
    for (const v of ir.outputs) g.addOutput(v.name, v.dims, v.type);
    return g;
  }

  /** A read-only view of what has been added so far, for graph transformations (training graphs). */
  ir(): OnnxGraphIR {
    return { name: this.graphName, inputs: [...this.inputs], outputs: [...this.outputs], initializers: [...this.initializers], nodes: [...this.nodes] };
  }

  /** Whether a value of this name exists (input, initializer or node output). */
  has(name: string): boolean {
    return this.names.has(name);
  }

  toBytes(): Uint8Array {
    if (this.outputs.length === 0) throw new ZlsError(`ONNX graph '${this.graphName}': no outputs declared`);
    const model = new ProtoWriter();
    model.int(1, 8); // ir_version
    model.string(2, 'zls');
    model.message(7, (g) => this.writeGraph(g));
    model.message(8, (o) => o.string(1, '').int(2, this.opsetVersion));
    // onnxruntime's own domains (com.microsoft, com.microsoft.nchwc) are at version 1.
    for (const domain of new Set(this.nodes.map((n) => n.domain).filter((d) => d))) model.message(8, (o) => o.string(1, domain).int(2, 1));
    for (const [key, value] of Object.entries(this.metadata)) model.message(14, (m) => m.string(1, key).string(2, value));
    return model.finish();
  }

  private writeGraph(g: ProtoWriter): void {
    for (const node of this.nodes) g.message(1, (n) => writeNode(n, node));
    g.string(2, this.graphName);
    for (const init of this.initializers) g.message(5, (t) => writeTensor(t, init));
    for (const input of this.inputs) g.message(11, (v) => writeValueInfo(v, input));
    for (const output of this.outputs) g.message(12, (v) => writeValueInfo(v, output));
  }
}

function writeNode(n: ProtoWriter, node: OnnxNodeSpec): void {
  for (const i of node.inputs) n.string(1, i);
  for (const o of node.outputs) n.string(2, o);
  n.string(3, node.name);
  n.string(4, node.opType);
  for (const [name, value] of Object.entries(node.attrs)) n.message(5, (a) => writeAttribute(a, node.opType, name, value));
  if (node.domain) n.string(7, node.domain);
}

function writeAttribute(a: ProtoWriter, opType: string, name: string, value: OnnxAttrValue): void {
  a.string(1, name);
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new ZlsError(`ONNX ${opType}.${name}: ${value} is not an integer; write {float: ${value}}`);
    a.int(3, value).int(20, ATTR_TYPE.INT);
  } else if (typeof value === 'string') {
    a.string(4, value).int(20, ATTR_TYPE.STRING);
  } else if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) {
      for (const s of value as string[]) a.string(9, s);
      a.int(20, ATTR_TYPE.STRINGS);
    } else {
      const ints = value as number[];
      if (!ints.every((v) => Number.isInteger(v))) throw new ZlsError(`ONNX ${opType}.${name}: [${ints.join(', ')}] are not all integers; write {floats: [...]}`);
      a.packedInts(8, ints).int(20, ATTR_TYPE.INTS);
    }
  } else if ('float' in value) {
    a.float(2, value.float).int(20, ATTR_TYPE.FLOAT);
  } else {
    a.packedFloats(7, value.floats).int(20, ATTR_TYPE.FLOATS);
  }
}

function writeTensor(t: ProtoWriter, init: InitializerSpec): void {
  t.packedInts(1, init.dims);
  t.int(2, OnnxDataType[init.type]);
  t.string(8, init.name);
  // raw_data is little-endian, which is what typed arrays hold on every platform Node supports here.
  t.bytes(9, new Uint8Array(init.data.buffer, init.data.byteOffset, init.data.byteLength));
}

function writeValueInfo(v: ProtoWriter, spec: ValueSpec): void {
  v.string(1, spec.name);
  v.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, OnnxDataType[spec.type]);
      const dims = spec.dims;
      if (dims) {
        tensor.message(2, (shape) => {
          for (const d of dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
        });
      }
    }),
  );
}
