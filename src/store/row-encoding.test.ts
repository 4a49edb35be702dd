import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChdbLogStore } from './chdb/chdb-log-store.js';
import type { LogStore } from './log-store.js';
import {
  batchContexts,
  contextId,
  decodeRows,
  batchPieces,
  batchSize,
  encodeContext,
  encodedPart,
  encodeRow,
  MAX_STORABLE_MS,
  RowBinaryWriter,
  MIN_STORABLE_MS,
  type EncodedBatch,
  type MessageContext,
} from './row-encoding.js';

const base: MessageContext = {
  receiptTime: Date.UTC(2026, 10, 22, 6, 0, 0),
  partition: 'default',
  sourceCategory: 'prod/web',
  sourceHost: 'web-1',
  sourceName: 'access.log',
  collector: 'http',
  source: 'default',
  fields: {},
};

function batch(rows: { time: number; text: string; context: MessageContext }[], withContexts: boolean): EncodedBatch {
  let text = '';
  const ids: number[] = [];
  for (const row of rows) {
    const encoded = encodeContext(row.context);
    ids.push(contextId(row.context));
    text += encodeRow(row.time, 'test', Buffer.byteLength(row.text), row.text, encoded);
  }
  return { text, lines: rows.length, messageBytes: 0, ...(withContexts ? { contexts: ids } : {}) };
}

describe('row encoding', () => {
  it('gives the same metadata the same context id, and different metadata another', () => {
    const a = contextId(base);
    expect(contextId({ ...base, receiptTime: base.receiptTime + 5 })).toBe(a);
    expect(contextId({ ...base, sourceHost: 'web-2' })).not.toBe(a);
    expect(contextId({ ...base, fields: { team: 'x' } })).not.toBe(contextId({ ...base, fields: { team: 'y' } }));
  });

  it('rows carry whole milliseconds within the storable range and escape the message', () => {
    const text =
      encodeRow(1_700_000_000_123.9, 'iso', 3, 'a\tb\\c\nd', encodeContext(base)) +
      encodeRow(-1e15, 'none', 1, 'x', encodeContext(base)) +
      encodeRow(1e15, 'none', 1, 'y', encodeContext(base));
    const rows = decodeRows(text);
    expect(rows.map((r) => r.time)).toEqual([1_700_000_000_123, MIN_STORABLE_MS, MAX_STORABLE_MS]);
    expect(rows[0]).toMatchObject({ message: 'a\tb\\c\nd', receiptTime: base.receiptTime, context: { sourceHost: 'web-1' } });
    expect(text.split('\n')[0]).toContain('a\\tb\\\\c\\nd');
    expect(() => encodeRow(Number.NaN, 'none', 1, 'z', encodeContext(base))).toThrow(RangeError);
  });

  it('reads the context ids of a batch from its rows when the batch does not list them', () => {
    const b = batch(
      [
        { time: 1, text: 'one', context: base },
        { time: 2, text: 'two', context: { ...base, sourceCategory: 'other' } },
        { time: 3, text: 'three', context: base },
      ],
      false,
    );
    expect(batchContexts(b).sort()).toEqual([contextId(base), contextId({ ...base, sourceCategory: 'other' })].sort());
  });
});

describe('byte parts', () => {
  it('decode to text on demand, and a spread copy is an ordinary text part', () => {
    const rows = encodeRow(1_700_000_000_000, 'none', 5, 'héllo', encodeContext(base));
    const part = encodedPart(Buffer.from(rows, 'utf8'), 1, 6, [contextId(base)]);
    expect(part.text).toBe(rows);
    expect(batchSize(part)).toBe(Buffer.byteLength(rows));
    expect(batchPieces(part)).toEqual([Buffer.from(rows, 'utf8')]);
    const copy = { ...part };
    expect(copy.bytes).toBeUndefined();
    copy.text += rows;
    expect(batchPieces(copy)).toEqual([rows + rows]);
    expect(part.text).toBe(rows);
  });
});

describe('RowBinary parts', () => {
  it('render as the TSV rows encodeRow writes, and cut into parts of their own', () => {
    const writer = new RowBinaryWriter(base, 16);
    const long = 'x'.repeat(20_000);
    writer.add(1_700_000_000_123.9, 'iso', 7, 'a\tb\\c\nd', true);
    writer.add(-1e15, 'none', 6, 'héllo', false);
    const first = writer.take();
    writer.add(1e15, 'none', long.length, long, true);
    const second = writer.take();
    const ctx = encodeContext(base);
    expect(first.text).toBe(encodeRow(1_700_000_000_123, 'iso', 7, 'a\tb\\c\nd', ctx) + encodeRow(MIN_STORABLE_MS, 'none', 6, 'héllo', ctx));
    expect(second.text).toBe(encodeRow(MAX_STORABLE_MS, 'none', long.length, long, ctx));
    expect(first).toMatchObject({ lines: 2, messageBytes: 13, contexts: [contextId(base)], format: 'RowBinary' });
    expect(batchContexts(Object.assign(Object.create(first) as EncodedBatch, { contexts: undefined }))).toEqual([contextId(base)]);
    // A spread copy is a plain TSV text part.
    const copy = { ...first };
    expect(copy.format).toBeUndefined();
    expect(batchPieces(copy)).toEqual([first.text]);
  });

  it('refuses a message whose byte length is not the one given', () => {
    expect(() => new RowBinaryWriter(base, 16).add(0, 'none', 5, 'héllo', false)).toThrow(/6 bytes, expected 5/);
    expect(() => new RowBinaryWriter(base, 16).add(0, 'none', 6, 'hello', true)).toThrow(/5 bytes, expected 6/);
  });
});

describe('chDB append with contexts', () => {
  let store: LogStore;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'quarry-rows-'));
    store = createChdbLogStore({ path: join(dir, 'logs') });
    await store.open();
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('expands each row to its own context, with listed or scanned ids', async () => {
    const t = Date.UTC(2026, 10, 22, 5);
    const odd: MessageContext = {
      ...base,
      receiptTime: base.receiptTime + 1000,
      sourceCategory: "it's\ta\\test\u0001",
      sourceHost: 'h\u00e9st',
      fields: { "k'1": 'v\n1', k2: '' },
    };
    for (const withContexts of [true, false]) {
      await store.append(
        batch(
          [
            { time: t, text: `first ${withContexts}`, context: base },
            { time: t + 1, text: `second ${withContexts}`, context: odd },
          ],
          withContexts,
        ),
      );
    }
    const rows = await store.tail(10);
    const second = rows.find((r) => r._raw === 'second true')!;
    expect(second).toMatchObject({
      _sourceCategory: "it's\ta\\test\u0001",
      _sourceHost: 'h\u00e9st',
      _receiptTime: odd.receiptTime,
      _messageTime: t + 1,
      fields: { "k'1": 'v\n1', k2: '' },
    });
    expect(rows.find((r) => r._raw === 'second false')).toMatchObject({ _sourceCategory: "it's\ta\\test\u0001" });
    expect(rows.find((r) => r._raw === 'first false')).toMatchObject({ _sourceCategory: 'prod/web', _sourceHost: 'web-1', fields: {} });
  });

  it('writes a batch merged from pieces in order, each row with its context', async () => {
    const t = Date.UTC(2026, 10, 22, 4);
    const a = batch([{ time: t, text: 'piece one', context: base }], false);
    const b = batch([{ time: t + 1, text: 'piece two', context: { ...base, sourceHost: 'piece-host' } }], false);
    await store.append({ text: a.text + b.text, pieces: [a.text, Buffer.from(b.text)], lines: 2, messageBytes: 0 });
    const rows = await store.tail(20);
    expect(rows.find((r) => r._raw === 'piece one')).toMatchObject({ _sourceHost: 'web-1', _messageTime: t });
    expect(rows.find((r) => r._raw === 'piece two')).toMatchObject({ _sourceHost: 'piece-host', _messageTime: t + 1 });
  });

  it('stores RowBinary parts: odd bytes, long messages, times at the storable edges', async () => {
    const context = { ...base, sourceCategory: 'rowbinary' };
    const writer = new RowBinaryWriter(context, 64);
    const messages = ['tab\tnew\nline\\ \u0000 end', 'ünïcödé ✓ 😀', 'y'.repeat(70_000)];
    writer.add(Date.UTC(2026, 10, 22, 3), 'iso8601', Buffer.byteLength(messages[0]!), messages[0]!, true);
    writer.add(-1e15, 'none', Buffer.byteLength(messages[1]!), messages[1]!, false);
    writer.add(1e15, 'json:ts', messages[2]!.length, messages[2]!, true);
    await store.append(writer.take());
    const rows = (await store.tail(50)).filter((r) => r._sourceCategory === 'rowbinary');
    expect(rows.map((r) => r._raw).sort()).toEqual([...messages].sort());
    expect(rows.find((r) => r._raw === messages[1])).toMatchObject({ _messageTime: MIN_STORABLE_MS, _size: Buffer.byteLength(messages[1]!), _format: 'none' });
    expect(rows.find((r) => r._raw === messages[2])).toMatchObject({ _messageTime: MAX_STORABLE_MS, _format: 'json:ts', _receiptTime: base.receiptTime });
  });

  it('refuses a batch whose rows refer to a context it does not list, storing none of it', async () => {
    const before = await store.count({});
    const other = { ...base, sourceCategory: 'unlisted' };
    const b = batch(
      [
        { time: Date.UTC(2026, 10, 22, 5), text: 'listed', context: base },
        { time: Date.UTC(2026, 10, 22, 5), text: 'not listed', context: other },
      ],
      false,
    );
    // The engine's refusal, as a store error that keeps the engine's text for the log only.
    const refused = await store.append({ ...b, contexts: [contextId(base)] }).then(() => undefined, (error: unknown) => error as Error & { kind?: string });
    expect(refused?.kind).toBe('failed');
    expect(String((refused?.cause as Error | undefined)?.message)).toMatch(/context/);
    await expect(store.append({ ...b, contexts: [987_654_321] })).rejects.toThrow(/no longer known/);
    expect(await store.count({})).toBe(before);
  });
});
