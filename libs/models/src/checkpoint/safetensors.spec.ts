import { decodeSafetensors, encodeSafetensors, entryToFloat32, f32Entry, type SafetensorsEntry } from './safetensors';

function handMade(header: object, data: number[]): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  it('writes the documented layout: u64 LE header size, space-padded JSON header, raw LE data', () => {
    const bytes = encodeSafetensors({ tensors: new Map([['a', f32Entry(Float32Array.of(1, -2), [2])]]), metadata: { step: '3' } });
    const size = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(size % 8).toBe(0);
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + size)).toString());
    expect(header).toEqual({ __metadata__: { step: '3' }, a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } });
    // 1.0f = 0x3f800000, -2.0f = 0xc0000000, little-endian.
    expect(Array.from(bytes.subarray(8 + size))).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]);
  });

  it('reads a file written by another tool, converting F16, BF16 and F64 to float32', () => {
    const file = handMade(
      {
        h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] },
        b: { dtype: 'BF16', shape: [1], data_offsets: [4, 6] },
        d: { dtype: 'F64', shape: [1], data_offsets: [6, 14] },
      },
      // F16 1.5 = 0x3e00, −0.25 = 0xb400; BF16 3.0 = 0x4040; F64 0.1.
      [0x00, 0x3e, 0x00, 0xb4, 0x40, 0x40, ...new Uint8Array(Float64Array.of(0.1).buffer)],
    );
    const { tensors } = decodeSafetensors(file, 'x.safetensors');
    const get = (n: string) => Array.from(entryToFloat32(tensors.get(n) as SafetensorsEntry, n, 'x'));
    expect(get('h')).toEqual([1.5, -0.25]);
    expect(get('b')).toEqual([3]);
    expect(get('d')).toEqual([Math.fround(0.1)]);
  });

  it('round-trips bytes exactly, NaN payloads and negative zero included', () => {
    const data = Float32Array.of(NaN, -0, 1e-45, 3.4e38, -1.5);
    const bytes = encodeSafetensors({ tensors: new Map([['w', f32Entry(data, [5])]]), metadata: {} });
    const back = decodeSafetensors(bytes, 'mem').tensors.get('w') as SafetensorsEntry;
    expect(Buffer.from(back.bytes).equals(Buffer.from(data.buffer))).toBe(true);
  });

  it('names the file and the problem for damaged input', () => {
    expect(() => decodeSafetensors(new Uint8Array(4), 'a.st')).toThrow(/a\.st: .*too short/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 1000n, true);
    expect(() => decodeSafetensors(huge, 'b.st')).toThrow(/b\.st: .*header size 1000 exceeds/);
    expect(() => decodeSafetensors(handMade({ w: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, [0]), 'c.st')).toThrow(/tensor 'w' has dtype "Q4"/);
    expect(() => decodeSafetensors(handMade({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, [0, 0, 0, 0]), 'd.st')).toThrow(/F32 \[2\] needs 8 bytes, data_offsets span 4/);
    expect(() => decodeSafetensors(handMade({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, [0, 0, 0, 0]), 'e.st')).toThrow(/ends at byte 8 of a 4-byte/);
    expect(() =>
      decodeSafetensors(handMade({ a: { dtype: 'U8', shape: [2], data_offsets: [0, 2] }, b: { dtype: 'U8', shape: [2], data_offsets: [1, 3] } }, [0, 0, 0]), 'f.st'),
    ).toThrow(/'a' and 'b' overlap/);
    expect(() => encodeSafetensors({ tensors: new Map([['w', f32Entry(Float32Array.of(1), [2])]]), metadata: {} })).toThrow(/'w' has 4 bytes/);
  });
});
