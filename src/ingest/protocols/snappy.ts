/**
 * Snappy block-format decompression (not the framed/stream format): what Loki's push API and
 * Prometheus remote-write send. Format: a varint with the uncompressed length, then elements —
 * literals and back-references (copies) with 1-, 2- or 4-byte offsets.
 */

import { Pacer } from '../../core/pacer.js';

export class SnappyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnappyError';
  }
}

/** The uncompressed length a block announces (its preamble). */
export function snappyUncompressedLength(input: Uint8Array): { length: number; headerBytes: number } {
  let length = 0;
  let scale = 1;
  for (let i = 0; i < 5; i++) {
    if (i >= input.length) throw new SnappyError('truncated length preamble');
    const byte = input[i]!;
    length += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      if (length > 0xffffffff) throw new SnappyError('length preamble is too large');
      return { length, headerBytes: i + 1 };
    }
    scale *= 128;
  }
  throw new SnappyError('length preamble is longer than 5 bytes');
}

/** Output bytes between two looks at the clock while decompressing. */
const CHECK_EVERY_BYTES = 1 << 20;

/**
 * Decompresses one snappy block. `maxBytes` bounds the announced length before anything is
 * allocated, so a hostile preamble cannot make it allocate gigabytes. Yields to the event loop
 * every few milliseconds of work.
 */
export async function snappyDecompress(input: Uint8Array, maxBytes: number): Promise<Buffer> {
  const { length, headerBytes } = snappyUncompressedLength(input);
  if (length > maxBytes) throw new SnappyError(`uncompressed length ${length} exceeds the limit of ${maxBytes} bytes`);
  const out = Buffer.allocUnsafe(length);
  let o = 0;
  let i = headerBytes;
  const pacer = new Pacer({ checkEvery: 1 });
  let nextCheck = CHECK_EVERY_BYTES;
  while (i < input.length) {
    if (o >= nextCheck) {
      nextCheck = o + CHECK_EVERY_BYTES;
      if (pacer.due()) await pacer.yield();
    }
    const tag = input[i++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const extra = len - 59;
        if (i + extra > input.length) throw new SnappyError('truncated literal length');
        len = 0;
        for (let k = 0; k < extra; k++) len += input[i + k]! * 2 ** (8 * k);
        i += extra;
      }
      len += 1;
      if (i + len > input.length) throw new SnappyError('literal runs past the end of the input');
      if (o + len > length) throw new SnappyError('output longer than the announced length');
      out.set(input.subarray(i, i + len), o);
      i += len;
      o += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (i >= input.length) throw new SnappyError('truncated copy');
      len = 4 + ((tag >>> 2) & 7);
      offset = ((tag >>> 5) << 8) | input[i++]!;
    } else if (kind === 2) {
      if (i + 2 > input.length) throw new SnappyError('truncated copy');
      len = (tag >>> 2) + 1;
      offset = input[i]! | (input[i + 1]! << 8);
      i += 2;
    } else {
      if (i + 4 > input.length) throw new SnappyError('truncated copy');
      len = (tag >>> 2) + 1;
      offset = (input[i]! | (input[i + 1]! << 8) | (input[i + 2]! << 16)) + input[i + 3]! * 0x1000000;
      i += 4;
    }
    if (offset === 0 || offset > o) throw new SnappyError('copy offset points before the start of the output');
    if (o + len > length) throw new SnappyError('output longer than the announced length');
    if (offset >= len) {
      out.copyWithin(o, o - offset, o - offset + len);
      o += len;
    } else {
      // Overlapping copy: repeats the last `offset` bytes, one byte at a time.
      for (let k = 0; k < len; k++, o++) out[o] = out[o - offset]!;
    }
  }
  if (o !== length) throw new SnappyError(`output is ${o} bytes, the block announced ${length}`);
  return out;
}
