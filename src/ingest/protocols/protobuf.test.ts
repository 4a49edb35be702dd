import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtobufError, ProtobufReader, ProtobufWriter, WireType } from './protobuf.js';

describe('protobuf wire format', () => {
  it('reads what the writer writes: varints, strings, nested messages', () => {
    const bytes = new ProtobufWriter()
      .uint(1, 300)
      .string(2, 'héllo')
      .message(3, new ProtobufWriter().uint(1, 2 ** 40).string(2, 'inner'))
      .finish();
    const reader = new ProtobufReader(bytes);
    const seen: unknown[] = [];
    while (reader.hasMore()) {
      const { field, wireType } = reader.readTag();
      if (field === 1) seen.push(reader.readVarint());
      else if (field === 2) seen.push(reader.readString());
      else if (field === 3) {
        expect(wireType).toBe(WireType.Bytes);
        const inner = reader.readMessage();
        inner.readTag();
        seen.push(inner.readVarint());
        inner.readTag();
        seen.push(inner.readString());
        expect(inner.hasMore()).toBe(false);
      }
    }
    expect(seen).toEqual([300, 'héllo', 2 ** 40, 'inner']);
  });

  it('reads int64 two’s complement negatives and fixed-width values', () => {
    // -1 as int64 is ten bytes of varint.
    const reader = new ProtobufReader(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expect(reader.readInt64()).toBe(-1n);
    const fixed = new ProtobufReader(Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0x80, 0x78, 0x56, 0x34, 0x12]));
    expect(fixed.readFixed64Big()).toBe((1n << 63n) + 1n);
    expect(fixed.readFixed32()).toBe(0x12345678);
    const double = Buffer.alloc(8);
    double.writeDoubleLE(2.5);
    expect(new ProtobufReader(double).readDouble()).toBe(2.5);
  });

  it('skips unknown fields of every wire type, including groups', () => {
    const bytes = Uint8Array.from([
      0x08, 0x96, 0x01, // field 1 varint
      0x11, 1, 2, 3, 4, 5, 6, 7, 8, // field 2 fixed64
      0x1a, 0x02, 0x61, 0x62, // field 3 bytes
      0x25, 1, 2, 3, 4, // field 4 fixed32
      0x2b, 0x08, 0x01, 0x2c, // field 5 group with a varint inside
      0x30, 0x07, // field 6 varint = 7
    ]);
    const reader = new ProtobufReader(bytes);
    let last = -1;
    while (reader.hasMore()) {
      const { field, wireType } = reader.readTag();
      if (field === 6) last = reader.readVarint();
      else reader.skip(wireType);
    }
    expect(last).toBe(7);
  });

  it('throws ProtobufError (never anything else) on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const walk = (reader: ProtobufReader, depth: number): void => {
          while (reader.hasMore()) {
            const { wireType } = reader.readTag();
            if (wireType === WireType.Bytes && depth < 3) walk(reader.readMessage(), depth + 1);
            else reader.skip(wireType);
          }
        };
        try {
          walk(new ProtobufReader(bytes), 0);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtobufError);
        }
      }),
      { numRuns: 2000 },
    );
    expect(() => new ProtobufReader(Uint8Array.from([0x0a, 0x05, 0x01])).skip(2)).toThrow(/truncated field/);
  });
});
