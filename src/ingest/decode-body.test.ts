import { gzipSync, deflateSync, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeUtf8, parseContentEncoding, readBody } from './decode-body.js';

const limits = { maxBytes: 1024 * 1024, maxRatio: 50, ratioGraceBytes: 1024 };

function* chunks(buffer: Buffer, size = 100): Generator<Buffer> {
  for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size);
}

describe('readBody', () => {
  const text = Buffer.from('line one\nline two\n'.repeat(20));

  it('passes identity bodies through', async () => {
    expect((await readBody(chunks(text), 'identity', limits)).equals(text)).toBe(true);
  });

  it('inflates gzip, zlib deflate and raw deflate', async () => {
    expect((await readBody(chunks(gzipSync(text)), 'gzip', limits)).equals(text)).toBe(true);
    expect((await readBody(chunks(deflateSync(text)), 'deflate', limits)).equals(text)).toBe(true);
    expect((await readBody(chunks(deflateRawSync(text)), 'deflate', limits)).equals(text)).toBe(true);
  });

  it('rejects corrupt compressed data naming the encoding', async () => {
    await expect(readBody(chunks(Buffer.from('not gzip at all')), 'gzip', limits)).rejects.toMatchObject({
      code: 'bad_encoding',
      message: expect.stringContaining('gzip'),
    });
    const truncated = gzipSync(text).subarray(0, 20);
    await expect(readBody(chunks(truncated), 'gzip', limits)).rejects.toMatchObject({ code: 'bad_encoding' });
    await expect(readBody(chunks(Buffer.from('garbage!')), 'zstd', limits)).rejects.toMatchObject({
      code: 'bad_encoding',
      message: expect.stringContaining('zstd'),
    });
  });

  it('stops a decompression bomb and oversized bodies', async () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024));
    await expect(readBody(chunks(bomb, 4096), 'gzip', { ...limits, maxBytes: 100 * 1024 * 1024 })).rejects.toMatchObject({
      code: 'payload_too_large',
      message: expect.stringContaining('bomb'),
    });
    await expect(readBody(chunks(Buffer.alloc(2 * 1024 * 1024, 'a')), 'identity', limits)).rejects.toMatchObject({
      code: 'payload_too_large',
    });
  });

  it('parses Content-Encoding', () => {
    expect(parseContentEncoding(undefined)).toBe('identity');
    expect(parseContentEncoding('GZIP')).toBe('gzip');
    expect(() => parseContentEncoding('br')).toThrow(/unsupported Content-Encoding "br"/);
  });
});

describe('decodeUtf8', () => {
  it('keeps valid text and flags ASCII', () => {
    expect(decodeUtf8(Buffer.from('hello'))).toEqual({ text: 'hello', replacedSequences: 0, isAscii: true });
    expect(decodeUtf8(Buffer.from('héllo \uFFFD'))).toEqual({ text: 'héllo \uFFFD', replacedSequences: 0, isAscii: false });
  });

  it('replaces and counts invalid sequences', () => {
    const bytes = Buffer.concat([Buffer.from('a'), Buffer.from([0xff]), Buffer.from('b\uFFFD'), Buffer.from([0xc3])]);
    const decoded = decodeUtf8(bytes);
    expect(decoded.text).toBe('a\uFFFDb\uFFFD\uFFFD');
    expect(decoded.replacedSequences).toBe(2);
  });
});
