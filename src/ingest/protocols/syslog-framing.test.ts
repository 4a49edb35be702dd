import { describe, expect, it } from 'vitest';
import { FramingMode, SyslogFrameDecoder, type DecodeResult } from './syslog-framing.js';

function texts(result: DecodeResult): string[] {
  return result.frames.map((f) => f.bytes.toString('utf8'));
}

/** Feeds `input` in chunks of `size` bytes and collects every frame (and the first error). */
function feed(input: string | Buffer, size: number, max = 65_536): { frames: string[]; error?: string; decoder: SyslogFrameDecoder } {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input);
  const decoder = new SyslogFrameDecoder(max);
  const frames: string[] = [];
  for (let i = 0; i < bytes.length; i += size) {
    const result = decoder.push(bytes.subarray(i, i + size));
    frames.push(...texts(result));
    if (result.error) return { frames, error: result.error, decoder };
  }
  const end = decoder.finish();
  frames.push(...texts(end));
  return { frames, ...(end.error ? { error: end.error } : {}), decoder };
}

describe('SyslogFrameDecoder', () => {
  const a = '<34>1 2003-10-11T22:14:15.003Z host app - - - first';
  const b = '<13>Feb  5 17:32:18 10.0.0.99 second\nwith a newline inside';

  it('detects octet counting and keeps newlines inside frames, whatever the chunking', () => {
    const stream = `${Buffer.byteLength(a)} ${a}${Buffer.byteLength(b)} ${b}`;
    for (const size of [1, 2, 3, 7, 1000]) {
      const { frames, error, decoder } = feed(stream, size);
      expect({ size, frames, error }).toEqual({ size, frames: [a, b], error: undefined });
      expect(decoder.mode).toBe(FramingMode.OctetCounting);
    }
  });

  it('tolerates a newline after each counted frame (some senders add one)', () => {
    expect(feed(`5 <1>ab\n5 <1>cd\n`, 3).frames).toEqual(['<1>ab', '<1>cd']);
  });

  it('reads LF, CRLF and NUL terminated lines; a last line without its newline counts', () => {
    for (const size of [1, 4, 1000]) {
      const { frames, decoder } = feed('<13>one\r\n<13>two\0<13>three\n\n<13>four', size);
      expect(frames).toEqual(['<13>one', '<13>two', '<13>three', '<13>four']);
      expect(decoder.mode).toBe(FramingMode.NonTransparent);
    }
  });

  it('reads lines that start with digits (no PRI) as newline framing', () => {
    expect(feed('1990 Oct 22 10:52:01 host x\n2019-06-14T10:40:20 h y\n', 5).frames).toEqual(['1990 Oct 22 10:52:01 host x', '2019-06-14T10:40:20 h y']);
  });

  it('cuts a long line into pieces of at most the limit, between UTF-8 characters', () => {
    const line = `<13>${'é'.repeat(100)}`; // 204 bytes
    const decoder = new SyslogFrameDecoder(64);
    const frames = [...decoder.push(Buffer.from(`${line}\n<13>next\n`)).frames];
    const pieces = frames.slice(0, -1);
    expect(pieces.map((f) => f.bytes.length).every((n) => n <= 64)).toBe(true);
    expect(pieces.map((f) => f.bytes.toString('utf8')).join('')).toBe(line);
    expect(pieces.map((f) => f.continued)).toEqual([false, ...pieces.slice(1).map(() => true)]);
    expect(frames.at(-1)).toEqual({ bytes: Buffer.from('<13>next'), continued: false });
    expect(decoder.cutFrames).toBe(1);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('cuts a long counted frame the same way and holds at most the limit while it streams in', () => {
    const body = `<13>${'x'.repeat(300)}`;
    const decoder = new SyslogFrameDecoder(100);
    const pieces: string[] = [];
    for (const chunk of [`${body.length} `, body.slice(0, 150), body.slice(150), `5 <1>ok`]) {
      pieces.push(...texts(decoder.push(Buffer.from(chunk))));
      expect(decoder.bufferedBytes).toBeLessThan(100);
    }
    expect(pieces.slice(0, -1).join('')).toBe(body);
    expect(pieces.at(-1)).toBe('<1>ok');
    expect(decoder.cutFrames).toBe(1);
  });

  it('a bad octet count is an error after the frames before it', () => {
    const result = feed(`5 <1>ab5 <1>cdxyz <1>more`, 4);
    expect(result.frames).toEqual(['<1>ab', '<1>cd']);
    expect(result.error).toMatch(/malformed octet count/);
    expect(feed(`5 <1>ab9999999999 <1>x`, 100).error).toMatch(/malformed octet count/);
    expect(feed(`5 <1>ab07 <1>x`, 100).error).toMatch(/malformed octet count/);
  });

  it('a stream ending inside a counted frame keeps what arrived and reports it', () => {
    const result = feed('20 <13>only part', 100);
    expect(result.frames).toEqual(['<13>only part']);
    expect(result.error).toMatch(/bytes short/);
  });
});
