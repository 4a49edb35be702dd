import { describe, expect, it } from 'vitest';
import { decodeRows, type MessageContext } from '../store/row-encoding.js';
import { encodeRecords } from './encode-records.js';

const context: MessageContext = {
  receiptTime: Date.UTC(2026, 10, 21, 12, 0, 0),
  partition: 'default',
  sourceCategory: 'default-cat',
  sourceHost: '10.0.0.1',
  sourceName: 'otlp',
  collector: 'otlp',
  source: 'src',
  fields: { team: 'a' },
};

/** The encoded rows as column arrays (the store's column order), contexts expanded. */
function rows(text: string): string[][] {
  return decodeRows(text).map((r) => [
    String(r.time),
    r.format,
    String(r.size),
    r.message,
    String(r.receiptTime),
    r.context?.partition ?? '?',
    r.context?.sourceCategory ?? '?',
    r.context?.sourceHost ?? '?',
    r.context?.sourceName ?? '?',
    r.context?.collector ?? '?',
    r.context?.source ?? '?',
    JSON.stringify(r.context?.fields),
  ]);
}

describe('encodeRecords', () => {
  it('encodes each record with its own time, size, fields and suggested metadata', async () => {
    const encoded = await encodeRecords(
      [
        { time: Date.UTC(2026, 10, 21, 1, 2, 3, 456) + 0.9, message: 'first\tline', fields: { k: 'v' }, category: 'svc', host: 'h1', name: 'n1' },
        { message: 'héllo', fields: {} },
      ],
      { context, fixed: {}, timeFormat: 'otlp', maxPartChars: 1 << 20 },
    );
    expect(encoded).toMatchObject({ messages: 2, messageBytes: 10 + 6 });
    const [a, b] = rows(encoded.parts[0]!.text);
    expect(a!.slice(0, 11)).toEqual(['1795222923456', 'otlp', '10', 'first\tline', '1795262400000', 'default', 'svc', 'h1', 'n1', 'otlp', 'src']);
    expect(a![11]).toBe('{"k":"v","team":"a"}');
    expect(b!.slice(0, 9)).toEqual(['1795262400000', 'none', '6', 'héllo', '1795262400000', 'default', 'default-cat', '10.0.0.1', 'otlp']);
    expect(b![11]).toBe('{"team":"a"}');
    expect(encoded.parts[0]!.text).toContain('first\\tline');
  });

  it('uses the receipt time for times the store cannot hold (before 1973, after 2286, not finite)', async () => {
    const encoded = await encodeRecords(
      [0, 1, 99_999_999_999, 1e13, Number.NaN, 100_000_000_000].map((time) => ({ time, message: 'm', fields: {} })),
      { context, fixed: {}, timeFormat: 'otlp', maxPartChars: 1e6 },
    );
    expect(rows(encoded.parts[0]!.text).map((r) => `${r[0]} ${r[1]}`)).toEqual([
      ...Array.from({ length: 5 }, () => '1795262400000 none'),
      '100000000000 otlp',
    ]);
  });

  it('lets fixed metadata (request headers, source) win over record suggestions unless told otherwise', async () => {
    const record = { message: 'm', fields: {}, category: 'svc', host: 'rh', name: 'rn' };
    const fixed = rows((await encodeRecords([record], { context, fixed: { category: 'src-cat', host: 'src-host', name: 'hdr-name' }, timeFormat: 'x', maxPartChars: 1e6 })).parts[0]!.text)[0]!;
    expect(fixed.slice(6, 9)).toEqual(['src-cat', 'src-host', 'hdr-name']);
    const override = rows((await encodeRecords([record], { context, fixed: { category: 'src-cat', recordCategoryWins: true }, timeFormat: 'x', maxPartChars: 1e6 })).parts[0]!.text)[0]!;
    expect(override.slice(6, 9)).toEqual(['svc', 'rh', 'rn']);
  });

  it('cuts parts at record boundaries and messages over 64 KiB into pieces', async () => {
    const big = 'x'.repeat(65_536 + 10);
    const encoded = await encodeRecords(
      [{ message: big, fields: {} }, ...Array.from({ length: 10 }, (_, i) => ({ message: `m${i}`, fields: { i: String(i) } }))],
      { context, fixed: {}, timeFormat: 'x', maxPartChars: 100 },
    );
    expect(encoded.messages).toBe(12);
    expect(encoded.parts.reduce((n, p) => n + p.lines, 0)).toBe(12);
    expect(encoded.parts.length).toBeGreaterThan(2);
    expect(rows(encoded.parts[0]!.text)[0]![2]).toBe('65536');
    expect(await encodeRecords([], { context, fixed: {}, timeFormat: 'x', maxPartChars: 10 })).toEqual({ parts: [], messages: 0, messageBytes: 0 });
  });
});
