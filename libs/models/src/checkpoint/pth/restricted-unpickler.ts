import { ZlsError } from '@zls/core';

/** A `module.name` global the pickle refers to (a class or function it would call). */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}

  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** The result of calling a global on arguments (REDUCE / NEWOBJ): left for the caller to interpret. */
export class PickleCall {
  constructor(
    readonly callee: PickleGlobal,
    readonly args: readonly PickleValue[],
  ) {}
}

/** A persistent reference (BINPERSID): PyTorch's storages. */
export class PicklePersistent {
  constructor(readonly id: PickleValue) {}
}

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | { tuple: PickleValue[] }
  | Map<PickleValue, PickleValue>
  | PickleGlobal
  | PickleCall
  | PicklePersistent;

const MARK = Symbol('mark');
type StackItem = PickleValue | typeof MARK;

/**
 * Reads Python pickles (protocols 2–5) as plain data, executing nothing: globals stay names, calls stay
 * (callee, arguments) records and persistent ids stay references, so the caller decides what a state dict may
 * contain. `allowed` lists the globals it accepts; any other global is refused with its name, which is how a
 * pickled module or class is told apart from a plain state dict.
 */
export function unpickle(bytes: Uint8Array, allowed: ReadonlySet<string>, source: string): PickleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: StackItem[] = [];
  const memo = new Map<number, PickleValue>();
  let p = 0;
  const fail = (what: string): never => {
    throw new ZlsError(`${source}: ${what} (pickle offset ${p})`);
  };
  const need = (n: number) => {
    if (p + n > bytes.length) fail('the pickle is truncated');
  };
  const u8 = () => (need(1), bytes[p++]);
  const u16 = () => (need(2), (p += 2), view.getUint16(p - 2, true));
  const u32 = () => (need(4), (p += 4), view.getUint32(p - 4, true));
  const i32 = () => (need(4), (p += 4), view.getInt32(p - 4, true));
  const u64 = () => (need(8), (p += 8), Number(view.getBigUint64(p - 8, true)));
  const raw = (n: number) => (need(n), (p += n), bytes.subarray(p - n, p));
  const utf8 = (n: number) => new TextDecoder().decode(raw(n));
  const line = () => {
    const end = bytes.indexOf(0x0a, p);
    if (end < 0) fail('unterminated text line');
    const s = new TextDecoder().decode(bytes.subarray(p, end));
    p = end + 1;
    return s;
  };
  const pop = (): PickleValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) return fail('stack underflow');
    return v as PickleValue;
  };
  const top = (): PickleValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) return fail('stack underflow');
    return v as PickleValue;
  };
  const popMark = (): PickleValue[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) fail('no MARK on the stack');
    const items = stack.splice(at) as PickleValue[];
    items.shift();
    return items;
  };
  const global = (module: string, name: string): PickleGlobal => {
    const g = new PickleGlobal(module, name);
    if (!allowed.has(g.qualified)) fail(`refers to ${g.qualified}, which a plain state dict of tensors does not contain (a pickled module or class?)`);
    return g;
  };
  const setItems = (target: PickleValue, items: PickleValue[]) => {
    if (!(target instanceof Map)) return fail('SETITEM on something that is not a dict');
    for (let i = 0; i + 1 < items.length; i += 2) target.set(items[i], items[i + 1]);
  };
  const dictOf = (v: PickleValue): Map<PickleValue, PickleValue> | undefined => {
    if (v instanceof Map) return v;
    // An OrderedDict() call result: the dict itself, built by SETITEMS afterwards.
    return undefined;
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('pickle protocol above 5');
        break;
      case 0x95: // FRAME
        u64();
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push({ tuple: [] });
        break;
      case 0x74: // TUPLE
        stack.push({ tuple: popMark() });
        break;
      case 0x85: // TUPLE1
        stack.push({ tuple: [pop()] });
        break;
      case 0x86: {
        const b = pop();
        stack.push({ tuple: [pop(), b] });
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        stack.push({ tuple: [pop(), b, c] });
        break;
      }
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x64: {
        // DICT
        const items = popMark();
        const m = new Map<PickleValue, PickleValue>();
        setItems(m, items);
        stack.push(m);
        break;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x8a: {
        // LONG1: little-endian two's complement
        const n = u8();
        const b = raw(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        if (n > 0 && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: // BINFLOAT (big-endian double)
        need(8);
        stack.push(view.getFloat64(p, false));
        p += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8(u8()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8(u64()));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(utf8(u8()));
        break;
      case 0x54: // BINSTRING
        stack.push(utf8(u32()));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(raw(u8()).slice());
        break;
      case 0x42: // BINBYTES
        stack.push(raw(u32()).slice());
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const key = op === 0x68 ? u8() : u32();
        if (!memo.has(key)) fail(`memo ${key} is not set`);
        stack.push(memo.get(key) as PickleValue);
        break;
      }
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL without two strings');
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x52: // REDUCE
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const callee = pop();
        if (!(callee instanceof PickleGlobal)) fail('REDUCE on something that is not a global');
        const list = args && typeof args === 'object' && 'tuple' in args ? args.tuple : [];
        // An OrderedDict() call builds a dict that SETITEMS fills next.
        stack.push((callee as PickleGlobal).qualified === 'collections.OrderedDict' && list.length === 0 ? new Map() : new PickleCall(callee as PickleGlobal, list));
        break;
      }
      case 0x51: // BINPERSID
        stack.push(new PicklePersistent(pop()));
        break;
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        const list = top();
        if (!Array.isArray(list)) fail('APPEND on something that is not a list');
        (list as PickleValue[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) fail('APPENDS on something that is not a list');
        (list as PickleValue[]).push(...items);
        break;
      }
      case 0x62: {
        // BUILD: object state; for a dict (OrderedDict's state is None or its items) there is nothing to do.
        const state = pop();
        const target = top();
        if (!dictOf(target) && !(target instanceof PickleCall)) fail('BUILD on an unexpected object');
        void state;
        break;
      }
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16)}`);
    }
  }
}
