/**
 * A small protobuf wire-format reader and writer: enough for the few fixed messages intake decodes
 * (OTLP logs, Loki push) and the one it answers with. No schema, no codegen: callers walk fields by
 * number. Malformed input throws a ProtobufError naming the byte offset.
 */

export const WireType = { Varint: 0, Fixed64: 1, Bytes: 2, StartGroup: 3, EndGroup: 4, Fixed32: 5 } as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

export class ProtobufError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
    this.name = 'ProtobufError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Reads one message's fields in order; nested messages get their own reader over a subarray. */
export class ProtobufReader {
  private pos: number;
  private readonly end: number;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get offset(): number {
    return this.pos;
  }

  /** True while fields remain. */
  hasMore(): boolean {
    return this.pos < this.end;
  }

  /** Reads a field key: its number and wire type. */
  readTag(): { field: number; wireType: number } {
    const at = this.pos;
    const key = this.readVarint();
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (field === 0) throw new ProtobufError('field number 0', at);
    if (wireType > 5) throw new ProtobufError(`invalid wire type ${wireType}`, at);
    return { field, wireType };
  }

  /** A varint as a JS number (exact up to 2^53; larger values lose low bits, fine for counts and enums). */
  readVarint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError('truncated varint', this.pos);
      const byte = this.bytes[this.pos++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
    throw new ProtobufError('varint longer than 10 bytes', this.pos);
  }

  /** A varint as a signed 64-bit integer (int64 in two's complement), as a bigint. */
  readInt64(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError('truncated varint', this.pos);
      const byte = this.bytes[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asIntN(64, result);
      shift += 7n;
    }
    throw new ProtobufError('varint longer than 10 bytes', this.pos);
  }

  readBool(): boolean {
    return this.readVarint() !== 0;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new ProtobufError(`truncated field (needs ${n} bytes)`, this.pos);
  }

  /** fixed64 as an unsigned bigint (exact). */
  readFixed64Big(): bigint {
    this.need(8);
    const lo = BigInt(this.readUint32At(this.pos));
    const hi = BigInt(this.readUint32At(this.pos + 4));
    this.pos += 8;
    return (hi << 32n) | lo;
  }

  readFixed32(): number {
    this.need(4);
    const value = this.readUint32At(this.pos);
    this.pos += 4;
    return value;
  }

  readDouble(): number {
    this.need(8);
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8);
    this.pos += 8;
    return view.getFloat64(0, true);
  }

  private readUint32At(at: number): number {
    const b = this.bytes;
    return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;
  }

  /** A length-delimited field's bytes (a view, not a copy). */
  readBytes(): Uint8Array {
    const length = this.readVarint();
    this.need(length);
    const start = this.pos;
    this.pos += length;
    return this.bytes.subarray(start, start + length);
  }

  readString(): string {
    return utf8.decode(this.readBytes());
  }

  /** A reader over an embedded message. */
  readMessage(): ProtobufReader {
    const length = this.readVarint();
    this.need(length);
    const start = this.pos;
    this.pos += length;
    return new ProtobufReader(this.bytes, start, start + length);
  }

  /** Skips a field of the given wire type (unknown fields are ignored, as protobuf requires). */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.Varint:
        this.readVarint();
        return;
      case WireType.Fixed64:
        this.need(8);
        this.pos += 8;
        return;
      case WireType.Bytes: {
        const length = this.readVarint();
        this.need(length);
        this.pos += length;
        return;
      }
      case WireType.Fixed32:
        this.need(4);
        this.pos += 4;
        return;
      case WireType.StartGroup:
        // Groups are obsolete; skip to the matching end tag.
        for (;;) {
          const tag = this.readTag();
          if (tag.wireType === WireType.EndGroup) return;
          this.skip(tag.wireType);
        }
      default:
        throw new ProtobufError(`unexpected wire type ${wireType}`, this.pos);
    }
  }

  /** Checks that a field has the wire type its schema says; a mismatch is malformed input. */
  expect(wireType: number, expected: WireType, field: number): void {
    if (wireType !== expected) {
      throw new ProtobufError(`field ${field} has wire type ${wireType}, expected ${expected}`, this.pos);
    }
  }
}

/** Builds a message; only what responses need (varints, strings, nested messages). */
export class ProtobufWriter {
  private readonly chunks: number[] = [];

  private varint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.chunks.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    this.chunks.push(v);
  }

  private tag(field: number, wireType: WireType): void {
    this.varint(field * 8 + wireType);
  }

  /** A non-negative integer field (uint32/uint64/int64 with values ≥ 0); zero is omitted as proto3 does. */
  uint(field: number, value: number): this {
    if (value === 0) return this;
    this.tag(field, WireType.Varint);
    this.varint(value);
    return this;
  }

  /** A string field; empty is omitted. */
  string(field: number, value: string): this {
    if (value === '') return this;
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WireType.Bytes);
    this.varint(value.length);
    for (const b of value) this.chunks.push(b);
    return this;
  }

  message(field: number, inner: ProtobufWriter): this {
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}
