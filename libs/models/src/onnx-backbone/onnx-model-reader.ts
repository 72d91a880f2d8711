import { Reader } from 'protobufjs/minimal';
import { ZlsError } from '@zls/core';

/** The parts of an ONNX model (onnx.proto field numbers) that zls needs to embed it in another graph. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  data: Float32Array | BigInt64Array | Int32Array;
}

export type OnnxAttribute =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'floats'; value: number[] }
  | { kind: 'ints'; value: number[] }
  | { kind: 'strings'; value: string[] }
  | { kind: 'tensor'; value: OnnxTensor }
  | { kind: 'unsupported'; type: number };

export interface OnnxNode {
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

export interface OnnxModel {
  opsets: Map<string, number>;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: string[];
  outputs: string[];
  /** ModelProto.metadata_props. */
  metadata: Record<string, string>;
}

/** int64 varint as a number (protobufjs gives a number, or a Long when long.js is installed). */
function i64(r: Reader): number {
  const v: unknown = r.int64();
  return typeof v === 'number' ? v : (v as { toNumber(): number }).toNumber();
}
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 };
const DT = { FLOAT: 1, INT32: 6, INT64: 7 };
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

/** Reads each field of a message; `visit` consumes the value or returns false to have it skipped. */
function fields(r: Reader, end: number, visit: (field: number, wire: number) => boolean): void {
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (!visit(field, wire)) r.skipType(wire);
  }
}

/** Repeated scalars arrive packed (wire type 2) or one per tag. */
function repeated<T>(r: Reader, wire: number, one: () => T, out: T[]): void {
  if (wire === 2) {
    const end = r.uint32() + r.pos;
    while (r.pos < end) out.push(one());
  } else out.push(one());
}

function readTensor(r: Reader, end: number, source: string): OnnxTensor {
  const dims: number[] = [];
  const floats: number[] = [];
  const int64s: number[] = [];
  const int32s: number[] = [];
  let dataType = 0;
  let name = '';
  let raw: Uint8Array | undefined;
  fields(r, end, (f, w) => {
    if (f === 1) repeated(r, w, () => i64(r), dims);
    else if (f === 2) dataType = r.int32();
    else if (f === 4) repeated(r, w, () => r.float(), floats);
    else if (f === 5) repeated(r, w, () => r.int32(), int32s);
    else if (f === 7) repeated(r, w, () => i64(r), int64s);
    else if (f === 8) name = r.string();
    else if (f === 9) raw = r.bytes();
    else return false;
    return true;
  });
  const count = dims.reduce((a, b) => a * b, 1);
  const copy = (bytes: Uint8Array) => bytes.slice().buffer;
  let data: Float32Array | BigInt64Array | Int32Array;
  if (dataType === DT.FLOAT) data = raw ? new Float32Array(copy(raw)) : Float32Array.from(floats);
  else if (dataType === DT.INT64) data = raw ? new BigInt64Array(copy(raw)) : BigInt64Array.from(int64s.map((v) => BigInt(v)));
  else if (dataType === DT.INT32) data = raw ? new Int32Array(copy(raw)) : Int32Array.from(int32s);
  else throw new ZlsError(`${source}: tensor '${name}' has ONNX data type ${dataType}; only float, int32 and int64 can be embedded`);
  if (data.length !== count) throw new ZlsError(`${source}: tensor '${name}' holds ${data.length} values for dims [${dims.join(', ')}]`);
  return { name, dims, dataType, data };
}

function readAttribute(r: Reader, end: number, source: string): [string, OnnxAttribute] {
  let name = '';
  let type = 0;
  let f32 = 0;
  let intValue = 0;
  let str = '';
  let tensor: OnnxTensor | undefined;
  const floats: number[] = [];
  const ints: number[] = [];
  const strings: string[] = [];
  fields(r, end, (f, w) => {
    if (f === 1) name = r.string();
    else if (f === 2) f32 = r.float();
    else if (f === 3) intValue = i64(r);
    else if (f === 4) str = text(r.bytes());
    else if (f === 5) {
      const len = r.uint32();
      tensor = readTensor(r, r.pos + len, source);
    } else if (f === 7) repeated(r, w, () => r.float(), floats);
    else if (f === 8) repeated(r, w, () => i64(r), ints);
    else if (f === 9) strings.push(text(r.bytes()));
    else if (f === 20) type = r.int32();
    else return false;
    return true;
  });
  const attr: OnnxAttribute =
    type === ATTR.FLOAT ? { kind: 'float', value: f32 }
    : type === ATTR.INT ? { kind: 'int', value: intValue }
    : type === ATTR.STRING ? { kind: 'string', value: str }
    : type === ATTR.FLOATS ? { kind: 'floats', value: floats }
    : type === ATTR.INTS ? { kind: 'ints', value: ints }
    : type === ATTR.STRINGS ? { kind: 'strings', value: strings }
    : type === ATTR.TENSOR && tensor ? { kind: 'tensor', value: tensor }
    : { kind: 'unsupported', type };
  return [name, attr];
}

function readNode(r: Reader, end: number, source: string): OnnxNode {
  const node: OnnxNode = { opType: '', domain: '', inputs: [], outputs: [], attributes: new Map() };
  fields(r, end, (f) => {
    if (f === 1) node.inputs.push(r.string());
    else if (f === 2) node.outputs.push(r.string());
    else if (f === 4) node.opType = r.string();
    else if (f === 7) node.domain = r.string();
    else if (f === 5) {
      const len = r.uint32();
      const [name, attr] = readAttribute(r, r.pos + len, source);
      node.attributes.set(name, attr);
    } else return false;
    return true;
  });
  return node;
}

/** ValueInfoProto: only the name matters here. */
function readValueName(r: Reader, end: number): string {
  let name = '';
  fields(r, end, (f) => {
    if (f !== 1) return false;
    name = r.string();
    return true;
  });
  return name;
}

/** Decodes an ONNX ModelProto's main graph. `source` names the file in errors. */
export function readOnnxModel(bytes: Uint8Array, source: string): OnnxModel {
  const model: OnnxModel = { opsets: new Map(), nodes: [], initializers: [], inputs: [], outputs: [], metadata: {} };
  const r = Reader.create(bytes);
  let sawGraph = false;
  try {
    fields(r, bytes.length, (f) => {
      if (f === 7) {
        sawGraph = true;
        const end = r.uint32() + r.pos;
        fields(r, end, (g) => {
          if (g !== 1 && g !== 5 && g !== 11 && g !== 12) return false;
          const len = r.uint32();
          const stop = r.pos + len;
          if (g === 1) model.nodes.push(readNode(r, stop, source));
          else if (g === 5) model.initializers.push(readTensor(r, stop, source));
          else if (g === 11) model.inputs.push(readValueName(r, stop));
          else model.outputs.push(readValueName(r, stop));
          return true;
        });
      } else if (f === 8) {
        const end = r.uint32() + r.pos;
        let domain = '';
        let version = 0;
        fields(r, end, (o) => {
          if (o === 1) domain = r.string();
          else if (o === 2) version = i64(r);
          else return false;
          return true;
        });
        model.opsets.set(domain, version);
      } else if (f === 14) {
        const end = r.uint32() + r.pos;
        let key = '';
        let value = '';
        fields(r, end, (m) => {
          if (m === 1) key = r.string();
          else if (m === 2) value = r.string();
          else return false;
          return true;
        });
        model.metadata[key] = value;
      } else return false;
      return true;
    });
  } catch (e) {
    if (e instanceof ZlsError) throw e;
    throw new ZlsError(`${source}: not a readable ONNX model (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!sawGraph) throw new ZlsError(`${source}: not an ONNX model (no graph)`);
  return model;
}
