import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { compress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { snappyDecompress, SnappyError } from './snappy.js';

describe('snappy block decompression', () => {
  it('round-trips what an independent compressor (snappyjs) produces', async () => {
    const samples = [
      Buffer.alloc(0),
      Buffer.from('a'),
      Buffer.from('abcabcabcabcabcabcabcabcabcabc'.repeat(100)),
      Buffer.from('ts=2026-11-21 level=info msg="hello"\n'.repeat(5000)),
      randomBytes(70_000),
      Buffer.concat([randomBytes(300), Buffer.alloc(100_000, 7), randomBytes(300)]),
    ];
    for (const sample of samples) {
      expect((await snappyDecompress(compress(sample), 10_000_000)).equals(sample)).toBe(true);
    }
  });

  it('round-trips arbitrary data (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 1, max: 20 }), async (bytes, repeat) => {
        const input = Buffer.concat(Array.from({ length: repeat }, () => Buffer.from(bytes)));
        expect((await snappyDecompress(compress(input), 1_000_000)).equals(input)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses corrupt or hostile input without reading past it', async () => {
    const good = compress(Buffer.from('hello hello hello hello hello'));
    await expect(snappyDecompress(good.subarray(0, good.length - 2), 1000)).rejects.toThrow(SnappyError);
    await expect(snappyDecompress(Uint8Array.from([0x05, 0x01, 0x00, 0x00]), 1000)).rejects.toThrow(/before the start/);
    await expect(snappyDecompress(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f]), 1000)).rejects.toThrow(/exceeds the limit/);
    await expect(snappyDecompress(Uint8Array.from([0x03, 0x00, 0x41]), 1000)).rejects.toThrow(/announced 3/);
    await expect(snappyDecompress(new Uint8Array(0), 1000)).rejects.toThrow(/truncated/);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (bytes) => {
        try {
          await snappyDecompress(bytes, 10_000);
        } catch (error) {
          expect(error).toBeInstanceOf(SnappyError);
        }
      }),
    );
  });
});
