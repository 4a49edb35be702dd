import { mkdtempSync } from 'node:fs';
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

describe('chDB append with contexts', () => {
  let store: LogStore;
  beforeAll(async () => {
    store = createChdbLogStore({ path: join(mkdtempSync(join(tmpdir(), 'quarry-rows-')), 'logs') });
    await store.open();
  });
  afterAll(() => store.close());

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
    await expect(store.append({ ...b, contexts: [contextId(base)] })).rejects.toThrow(/context/);
    await expect(store.append({ ...b, contexts: [987_654_321] })).rejects.toThrow(/no longer known/);
    expect(await store.count({})).toBe(before);
  });
});
