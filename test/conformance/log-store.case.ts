import { allFields, id, param, raw, sql, timeCompare, timeMs } from '../../src/query/sql/tree.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogStore } from '../../src/store/log-store.js';
import { encodeContext, encodeRow, type EncodedBatch, type MessageContext } from '../../src/store/row-encoding.js';

const context: MessageContext = {
  receiptTime: Date.UTC(2026, 10, 1, 12),
  partition: 'default',
  sourceCategory: 'prod/web',
  sourceHost: 'web-1',
  sourceName: 'access.log',
  collector: 'http',
  source: 'default',
  fields: { team: 'payments', "it's": 'a\\b', tabbed: 'x\ty\nz' },
};

/** Builds a batch of messages sharing one context. */
export function batchOf(messages: { time: number; text: string }[], ctx: MessageContext = context): EncodedBatch {
  const encoded = encodeContext(ctx);
  let text = '';
  let bytes = 0;
  for (const m of messages) {
    const size = Buffer.byteLength(m.text);
    bytes += size;
    text += encodeRow(m.time, 'test', size, m.text, encoded);
  }
  return { text, lines: messages.length, messageBytes: bytes };
}

/** The behaviour every LogStore adapter must share. `open` must give a new, empty store each call. */
export function describeLogStoreConformance(name: string, open: () => Promise<LogStore>): void {
  describe(`LogStore conformance: ${name}`, () => {
    let store: LogStore;
    const t0 = Date.UTC(2026, 10, 1, 10);
    beforeAll(async () => {
      store = await open();
      await store.open();
      await store.append(
        batchOf([
          { time: t0, text: 'GET /index.html 200' },
          { time: t0 + 1000, text: 'tab\there and back\\slash' },
          { time: t0 + 2000, text: 'multi\nline\r\nmessage' },
          { time: t0 + 3000, text: 'ünïcödé ✓ 日本語' },
        ]),
      );
      await store.append(batchOf([{ time: t0 + 4000, text: 'other category' }], { ...context, sourceCategory: 'prod/db', fields: {} }));
    });
    afterAll(async () => {
      await store.close();
    });

    it('counts with time, category and substring filters', async () => {
      expect(await store.count({})).toBe(5);
      expect(await store.count({ from: t0 + 1000 })).toBe(4);
      expect(await store.count({ from: t0, to: t0 + 2000 })).toBe(2);
      expect(await store.count({ sourceCategory: 'prod/db' })).toBe(1);
      expect(await store.count({ contains: 'GET' })).toBe(1);
      expect(await store.count({ contains: 'get' })).toBe(0);
      expect(await store.count({ contains: "'; DROP TABLE logs; --" })).toBe(0);
    });

    it('round-trips message text and metadata exactly', async () => {
      const rows = await store.tail(10);
      expect(rows).toHaveLength(5);
      const byText = new Map(rows.map((r) => [r._raw, r]));
      expect(byText.has('tab\there and back\\slash')).toBe(true);
      expect(byText.has('multi\nline\r\nmessage')).toBe(true);
      const unicode = byText.get('ünïcödé ✓ 日本語')!;
      expect(unicode._messageTime).toBe(t0 + 3000);
      expect(unicode._receiptTime).toBe(context.receiptTime);
      expect(unicode._sourceCategory).toBe('prod/web');
      expect(unicode._sourceHost).toBe('web-1');
      expect(unicode._sourceName).toBe('access.log');
      expect(unicode._collector).toBe('http');
      expect(unicode._source).toBe('default');
      expect(unicode._index).toBe('default');
      expect(unicode._size).toBe(Buffer.byteLength('ünïcödé ✓ 日本語'));
      expect(unicode.fields).toEqual({ team: 'payments', "it's": 'a\\b', tabbed: 'x\ty\nz' });
    });

    it('scans a range newest first in bounded batches', async () => {
      const seen: number[] = [];
      let batches = 0;
      for await (const batch of store.scan({ from: t0, to: t0 + 4000, batchRows: 2 })) {
        batches++;
        expect(batch.length).toBeLessThanOrEqual(2);
        seen.push(...batch.map((m) => m._messageTime));
      }
      expect(seen).toEqual([t0 + 3000, t0 + 2000, t0 + 1000, t0]);
      expect(batches).toBeGreaterThanOrEqual(2);
      const all: string[] = [];
      for await (const batch of store.scan({ from: 0, to: Date.UTC(2100, 0, 1) })) all.push(...batch.map((m) => m._raw));
      expect(all).toHaveLength(5);
      const byReceipt: number[] = [];
      for await (const batch of store.scan({ from: context.receiptTime, to: context.receiptTime + 1, byReceiptTime: true })) {
        byReceipt.push(batch.length);
      }
      expect(byReceipt.reduce((a, b) => a + b, 0)).toBe(5);
      const aborted = new AbortController();
      aborted.abort();
      for await (const _ of store.scan({ from: t0, to: t0 + 5000, signal: aborted.signal })) throw new Error('aborted scan yielded');
    });

    it('pages through more rows than a batch within one millisecond', async () => {
      const t = Date.UTC(2026, 10, 2);
      await store.append(batchOf(Array.from({ length: 7 }, (_, i) => ({ time: t, text: `same ms ${i}` }))));
      const seen: string[] = [];
      for await (const batch of store.scan({ from: t, to: t + 1, batchRows: 3 })) seen.push(...batch.map((m) => m._raw));
      expect(seen.sort()).toEqual(Array.from({ length: 7 }, (_, i) => `same ms ${i}`));
    });

    it('stores times before 1973 and far in the future exactly', async () => {
      const times = [Date.UTC(1970, 0, 1, 0, 0, 1, 5), Date.UTC(1901, 5, 1), Date.UTC(2290, 0, 1, 12)];
      await store.append(batchOf(times.map((time, i) => ({ time, text: `old or future ${i}` }))));
      for (const time of times) expect(await store.count({ from: time, to: time + 1 })).toBe(1);
    });

    it('names its engine and runs planner statements with bound parameters, in batches', async () => {
      const engine = await store.engine();
      expect(['chdb', 'clickhouse']).toContain(engine.engine);
      expect(engine.version).toMatch(/^\d+\.\d+/);
      // Times and custom fields through the layout chunks: each store's dialect spells them for its table.
      const statement = sql`SELECT message, ${timeMs('ts')} AS t, ${allFields()} AS fields FROM logs
        WHERE ${timeCompare('ts', '>=', param(t0, 'Int64'))} AND ${timeCompare('ts', '<', param(t0 + 4000, 'Int64'))} AND source_category = ${param('prod/web', 'String')}
        ORDER BY ts DESC`;
      const batches: Record<string, unknown>[][] = [];
      for await (const batch of store.select(statement, { batchRows: 3 })) batches.push(batch);
      expect(batches.map((b) => b.length)).toEqual([3, 1]);
      const rows = batches.flat();
      expect(rows.map((r) => r.t)).toEqual([t0 + 3000, t0 + 2000, t0 + 1000, t0]);
      expect(rows[0]!.message).toBe('ünïcödé ✓ 日本語');
      expect(rows[0]!.fields).toEqual({ team: 'payments', "it's": 'a\\b', tabbed: 'x\ty\nz' });
      // A hostile value stays a value.
      let n = 0;
      for await (const batch of store.select(sql`SELECT count() AS n FROM logs WHERE message = ${param("x'; DROP TABLE logs; --", 'String')}`)) n = Number(batch[0]!.n);
      expect(n).toBe(0);
      expect(await store.count({})).toBeGreaterThanOrEqual(5);
      // Settings apply per statement: a row limit the statement exceeds fails it.
      await expect(async () => {
        for await (const _ of store.select(raw('SELECT message FROM logs'), { settings: { max_rows_to_read: 1 } })) void _;
      }).rejects.toThrow();
      const aborted = new AbortController();
      aborted.abort();
      for await (const _ of store.select(raw('SELECT 1'), { signal: aborted.signal })) throw new Error('an aborted select yielded');
    });

    it('tells how many rows a statement read, with the same rows returned', async () => {
      const total = await store.count({});
      const told: number[] = [];
      const statement = sql`SELECT message, ${timeMs('ts')} AS t FROM logs WHERE position(message, ${param('e', 'String')}) > 0 ORDER BY ts, message`;
      const plain: Record<string, unknown>[] = [];
      for await (const batch of store.select(statement)) plain.push(...batch);
      const counted: Record<string, unknown>[] = [];
      for await (const batch of store.select(statement, { onRowsRead: (n) => told.push(n) })) counted.push(...batch);
      expect(counted).toEqual(plain);
      expect(plain.length).toBeGreaterThan(0);
      // Every row was read to test the message; fewer were returned.
      expect(told).toEqual([total]);
      const staged: number[] = [];
      const name = 'quarry_stage_rows_read';
      const partial = sql`SELECT source_category AS c, countState() AS s FROM logs
        WHERE ${timeCompare('ts', '>=', param(t0, 'Int64'))} AND position(message, ${param('e', 'String')}) > 0 GROUP BY c`;
      await store.stage(name, partial, { onRowsRead: (n) => staged.push(n) });
      await store.dropStaged(name);
      expect(staged).toHaveLength(1);
      expect(staged[0]).toBeGreaterThanOrEqual(await store.count({ from: t0 }));
    });

    it('stages partial results in a temporary table that a later select combines', async () => {
      const partial = (from: number, to: number) => sql`SELECT source_category AS c, countState() AS s FROM logs
        WHERE ${timeCompare('ts', '>=', param(from, 'Int64'))} AND ${timeCompare('ts', '<', param(to, 'Int64'))} GROUP BY c`;
      const name = 'quarry_stage_conformance';
      expect((await store.stage(name, partial(t0 + 2000, t0 + 5000))).elapsedMs).toBeGreaterThan(0);
      await store.stage(name, partial(t0, t0 + 2000));
      const rows: Record<string, unknown>[] = [];
      for await (const batch of store.select(sql`SELECT c, countMerge(s) AS n FROM ${id(name)} GROUP BY c ORDER BY c`)) rows.push(...batch);
      expect(rows).toEqual([
        { c: 'prod/db', n: 1 },
        { c: 'prod/web', n: 4 },
      ]);
      // An aborted stage does nothing; a bad name is refused before any SQL runs.
      const aborted = new AbortController();
      aborted.abort();
      expect(await store.stage(name, partial(t0, t0 + 5000), { signal: aborted.signal })).toEqual({ elapsedMs: 0 });
      await expect(store.stage('logs; DROP TABLE logs', partial(t0, t0 + 5000))).rejects.toThrow(/invalid staged table name/);
      await store.dropStaged(name);
      await expect(async () => {
        for await (const _ of store.select(sql`SELECT count() FROM ${id(name)}`)) void _;
      }).rejects.toThrow();
      await store.dropStaged(name);
    });

    it('tells where rows lie in time', async () => {
      const spans = await store.rowSpans();
      expect(spans.reduce((n, s) => n + s.rows, 0)).toBe(await store.count({}));
      for (const s of spans) expect(s.from).toBeLessThan(s.to);
      // Every stored time lies in some span.
      for (const t of [t0, t0 + 4000]) expect(spans.some((s) => s.from <= t && t < s.to)).toBe(true);
    });

    it('reports stats, writability and readability', async () => {
      expect(await store.checkWritable()).toBe(true);
      expect(await store.checkReadable()).toBe(true);
      const stats = await store.stats();
      expect(stats.rows).toBe(15);
      expect(stats.bytesOnDisk).toBeGreaterThan(0);
    });

    it('counts and deletes the rows of one source tagged with a field value', async () => {
      const tagged = { source: 'tagged', field: 'collector_batch', value: 'b-1', receivedSince: t0 };
      const rowsOf = (value: string, texts: string[]) =>
        batchOf(texts.map((text, i) => ({ time: t0 + i, text })), { ...context, source: 'tagged', fields: { collector_batch: value } });
      await store.append(rowsOf('b-1', ['t1', 't2', 't3']));
      await store.append(rowsOf('b-2', ['t4']));
      expect(await store.countTagged(tagged)).toBe(3);
      expect(await store.countTagged({ ...tagged, source: 'other' })).toBe(0);
      expect(await store.countTagged({ ...tagged, receivedSince: Date.now() + 60_000 })).toBe(0);
      await store.deleteTagged(tagged);
      expect(await store.countTagged(tagged)).toBe(0);
      expect(await store.countTagged({ ...tagged, value: 'b-2' })).toBe(1);
      expect(await store.count({ contains: 't2' })).toBe(0);
      await store.deleteTagged({ ...tagged, value: 'b-2' });
    });
  });
  // After the suite above has closed its store (suites run one after another): a second store.
  describeRetentionConformance(name, open);
}

/**
 * Retention (LogStore.dropBefore) on a store of its own (describeLogStoreConformance runs it): it
 * starts empty, and what it drops cannot disturb the other cases.
 */
export function describeRetentionConformance(name: string, open: () => Promise<LogStore>): void {
  describe(`LogStore retention: ${name}`, () => {
    let store: LogStore;
    /** Hour `h` (and ms) of day `d` of March 2026, UTC. */
    const at = (d: number, h = 0, ms = 0) => Date.UTC(2026, 2, d, h) + ms;
    beforeAll(async () => {
      store = await open();
      await store.open();
    });
    afterAll(async () => {
      await store.close();
    });

    it('drops nothing from an empty store', async () => {
      expect(await store.dropBefore(Date.now())).toEqual({ partitions: 0, rows: 0 });
    });

    it('drops exactly the whole days before the cutoff day, keeps that day and later, and drops nothing the second time', async () => {
      // One batch per day: a batch goes whole to one shard, so each day is one partition anywhere.
      await store.append(batchOf([{ time: at(1), text: 'day 1 first ms' }, { time: at(1, 23, 3_599_999), text: 'day 1 last ms' }]));
      await store.append(batchOf([1, 2, 3].map((i) => ({ time: at(2, 12, i), text: `day 2 row ${i}` }))));
      await store.append(batchOf([{ time: at(3), text: 'day 3 first ms' }, { time: at(3, 18), text: 'day 3 evening' }]));
      await store.append(batchOf([{ time: at(4, 1), text: 'day 4' }]));
      await store.append(batchOf([{ time: at(6, 5), text: 'day 6' }]));
      expect(await store.count({})).toBe(9);

      // A cutoff in the afternoon of day 3: days 1 and 2 go, day 3 stays whole (its first ms too).
      expect(await store.dropBefore(at(3, 15))).toEqual({ partitions: 2, rows: 5 });
      expect(await store.count({})).toBe(4);
      expect(await store.count({ to: at(3) })).toBe(0);
      expect(await store.count({ from: at(3), to: at(4) })).toBe(2);
      expect(await store.count({ contains: 'day 3 first ms' })).toBe(1);
      expect(await store.dropBefore(at(3, 15))).toEqual({ partitions: 0, rows: 0 });
      // A cutoff at a day's first instant keeps that day; one a day later drops it.
      expect(await store.dropBefore(at(3))).toEqual({ partitions: 0, rows: 0 });
      expect(await store.dropBefore(at(4))).toEqual({ partitions: 1, rows: 2 });
      expect(await store.count({})).toBe(2);
      const left: string[] = [];
      for await (const batch of store.scan({ from: 0, to: at(30) })) left.push(...batch.map((m) => m._raw));
      expect(left).toEqual(['day 6', 'day 4']);
      expect((await store.stats()).rows).toBe(2);
    });

    it('keeps a partition that holds a row after the cutoff, wherever the engine files times outside its date range', async () => {
      const future = Date.UTC(2290, 0, 1, 12);
      const times = [Date.UTC(1901, 5, 1), Date.UTC(1970, 0, 1, 0, 0, 1, 5), future];
      for (const [i, time] of times.entries()) await store.append(batchOf([{ time, text: `out of range ${i}` }]));
      const before = await store.count({});
      const dropped = await store.dropBefore(at(4, 12));
      // The rows it says it dropped are the rows that are gone; the far-future row is not among them.
      expect(await store.count({})).toBe(before - dropped.rows);
      expect(await store.count({ from: future, to: future + 1 })).toBe(1);
      expect(await store.count({ from: at(4), to: at(30) })).toBe(2);
      expect(await store.dropBefore(at(4, 12))).toEqual({ partitions: 0, rows: 0 });
    });
  });
}
