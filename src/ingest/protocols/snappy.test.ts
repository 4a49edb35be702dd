import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { compress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { snappyDecompress, SnappyError } from './snappy.js';

describe('snappy block decompression', () => {
  it('round-trips what an independent compressor (snappyjs) produces', () => {
    const samples = [
      Buffer.alloc(0),
      Buffer.from('a'),
      Buffer.from('abcabcabcabcabcabcabcabcabcabc'.repeat(100)),
      Buffer.from('ts=2026-11-21 level=info msg="hello"\n'.repeat(5000)),
      randomBytes(70_000),
      Buffer.concat([randomBytes(300), Buffer.alloc(100_000, 7), randomBytes(300)]),
    ];
    for (const sample of samples) {
      expect(snappyDecompress(compress(sample), 10_000_000).equals(sample)).toBe(true);
    }
  });

  it('round-trips arbitrary data (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 1, max: 20 }), (bytes, repeat) => {
        const input = Buffer.concat(Array.from({ length: repeat }, () => Buffer.from(bytes)));
        expect(snappyDecompress(compress(input), 1_000_000).equals(input)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses corrupt or hostile input without reading past it', () => {
    const good = compress(Buffer.from('hello hello hello hello hello'));
    expect(() => snappyDecompress(good.subarray(0, good.length - 2), 1000)).toThrow(SnappyError);
    expect(() => snappyDecompress(Uint8Array.from([0x05, 0x01, 0x00, 0x00]), 1000)).toThrow(/before the start/);
    expect(() => snappyDecompress(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f]), 1000)).toThrow(/exceeds the limit/);
    expect(() => snappyDecompress(Uint8Array.from([0x03, 0x00, 0x41]), 1000)).toThrow(/announced 3/);
    expect(() => snappyDecompress(new Uint8Array(0), 1000)).toThrow(/truncated/);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          snappyDecompress(bytes, 10_000);
        } catch (error) {
          expect(error).toBeInstanceOf(SnappyError);
        }
      }),
    );
  });
});
