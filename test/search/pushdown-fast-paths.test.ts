/**
 * The planner's cheaper statements give the interpreter's answers: the ASCII-class keyword pattern
 * (pure-ASCII messages only) next to the Unicode one, and the histogram summed from the records
 * of a count by timeslice. Each query runs both ways on the same rows of a real chDB store.
 */
import { clickhouseDialect } from '../../src/query/sql/dialect.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/query/index.js';
import type { Row } from '../../src/query/interpreter/index.js';
import { engineContext } from '../../src/search/pushdown/engine-context.js';
import { planQuery } from '../../src/query/plan/plan.js';
import type { LogStore, StoreEngine } from '../../src/store/log-store.js';
import { encodeRows, expectPushedAsInterpreter, runJob, withinCollector } from './pushdown-support.js';
import { openTempStore, type TempStore } from '../support/temp-store.js';

const T0 = Date.UTC(2026, 0, 5, 10);
const MINUTE = 60_000;

// Keywords next to ASCII and non-ASCII neighbours: letters (é, ß, Cyrillic о), digits of other
// scripts (٣), the KELVIN SIGN and LONG S (case-fold to k / s), NBSP and em dash (not letters).
const MESSAGES = [
  'timeout',
  'Request TIMEOUT after 30s',
  'timeout_ms=30',
  'x-timeout-y',
  'timeouts happen',
  'étimeout',
  'timeoutß',
  'time\u043eut',
  'timeout\u00a0x',
  'a\u2014timeout\u2014b',
  '٣timeout',
  'timeout٣',
  '日本timeout',
  '\u212Aafka lag',
  'kafka lag',
  '\u017Fumo ok',
  'sumo ok',
  'connection reset by peer',
  'db-1 slow, db-12 fine',
  'error warn',
  'error\u00a0warn',
  'error \u3000 warn',
];

const QUERIES = [
  'timeout',
  '"TIMEOUT"',
  'time*',
  'timeo?t',
  'kafka',
  'sumo',
  'db-1',
  '"error warn"',
  'timeout OR kafka',
  '!timeout',
  'timeout | count by _sourceHost',
  'kafka | count',
];

describe('cheaper pushed statements ≡ interpreter', () => {
  let temp: TempStore;
  let store: LogStore;
  let engine: StoreEngine;
  beforeAll(async () => {
    temp = await openTempStore('pushdown-fast');
    store = temp.store;
    engine = await store.engine();
    const keywordRows: Row[] = MESSAGES.map((m, i) => ({ _raw: m, _messageTime: T0 + i * 1000, _sourceHost: `h${i % 3}` }));
    await store.append(encodeRows(keywordRows, 'keywords'));
    // Rows spread over 3 hours, some before the searched range starts (a first slice straddles it).
    const sliceRows: Row[] = Array.from({ length: 400 }, (_, i) => ({
      _raw: i % 7 === 0 ? `error ${i}` : `ok ${i}`,
      _messageTime: T0 + Math.floor((i * 27_001) % (3 * 3_600_000)),
      _sourceHost: `h${i % 4}`,
    }));
    await store.append(encodeRows(sliceRows, 'slices'));
  }, 60_000);
  afterAll(async () => {
    await temp.dispose();
  });

  it.each(QUERIES)('keyword search %s', async (text) => {
    const query = withinCollector(parseQuery(text).query!, 'keywords');
    const range = { from: T0, to: T0 + 3_600_000, timeZone: 'UTC' };
    const plan = planQuery(query, { ...range, byReceiptTime: false, ...engineContext(engine) });
    expect(plan.scopeExact).toBe(true);
    await expectPushedAsInterpreter(store, query, range);
  });

  it('uses the ASCII pattern only for pure-ASCII messages', () => {
    const query = parseQuery('timeout').query!;
    const plan = planQuery(query, { from: T0, to: T0 + 1, timeZone: 'UTC', byReceiptTime: false, ...engineContext(engine) });
    const where = clickhouseDialect.render(plan.where);
    expect(where.sql).toMatch(/if\(isValidASCII\(message\), match\(message, \{p\d+:String\}\), match\(message, \{p\d+:String\}\)\)/);
    expect(Object.values(where.params)).toContain('(?i)(^|[^a-zA-Z0-9_])timeout($|[^a-zA-Z0-9_])');
    expect(Object.values(where.params)).toContain('(?i)(^|[^\\p{L}\\p{N}_])timeout($|[^\\p{L}\\p{N}_])');
  });

  const SLICE_QUERIES = [
    '* | timeslice 1m | count by _timeslice',
    '* | timeslice 30s | count as n by _timeslice',
    'error | timeslice 1m | count by _timeslice | sort by _count',
    '* | timeslice 1m | count, count_distinct(_sourceHost) by _sourceHost, _timeslice',
    '* | timeslice 1m | count by _timeslice | where _count > 1',
    '* | timeslice 7m | count by _timeslice',
  ];
  const RANGES = [
    { from: T0, to: T0 + 2 * 3_600_000 },
    { from: T0 + 37_500, to: T0 + 2 * 3_600_000 + 1 },
    { from: T0 + 59 * MINUTE + 10_000, to: T0 + 3 * 3_600_000 },
  ];
  const cases = SLICE_QUERIES.flatMap((q) => RANGES.flatMap((r) => ['UTC', '+05:30'].map((timeZone) => [q, r.from - T0, r.to - T0, timeZone] as const)));

  it.each(cases)('%s (from +%i ms, to +%i ms, %s)', async (text, fromShift, toShift, timeZone) => {
    const query = withinCollector(parseQuery(text).query!, 'slices');
    const range = { from: T0 + fromShift, to: T0 + toShift, timeZone };
    const plan = planQuery(query, { ...range, byReceiptTime: false, ...engineContext(engine) });
    expect(plan.kind).toBe('aggregate');
    await expectPushedAsInterpreter(store, query, range);
    // Also as three time slices merged at the end (the records still carry the histogram).
    const thirds: LogStore = { ...store, rowSpans: () => Promise.resolve([{ from: range.from, to: range.to, rows: 3 }]) };
    await expectPushedAsInterpreter(thirds, query, range, { rows: 1, targetMs: 0 });
  });

  it('reads the row spans (for slicing) once for searches close together', async () => {
    let calls = 0;
    const counting: LogStore = { ...store, rowSpans: () => (calls++, store.rowSpans()) };
    const query = withinCollector(parseQuery('error | count').query!, 'slices');
    const range = { from: T0, to: T0 + 3 * 3_600_000, timeZone: 'UTC' };
    const first = await runJob(counting, query, range, true);
    const second = await runJob(counting, query, range, true);
    expect(second.rows).toEqual(first.rows);
    expect(calls).toBe(1);
  });

  it('sums the histogram from 1-minute slices, and groups it otherwise', () => {
    // The rows form (a store with per-minute counts counts these from them: pushdown-rollup.test.ts).
    const ctx = { from: T0, to: T0 + 24 * 3_600_000, timeZone: 'UTC', byReceiptTime: false, ...engineContext({ ...engine, minuteCounts: false }) };
    const derived = planQuery(parseQuery('* | timeslice 1m | count by _timeslice').query!, ctx);
    expect(derived.aggregate?.histogramFromRecords).toEqual({ sliceColumn: 0, countColumn: 1, from: T0 });
    expect(derived.aggregate?.withHistogram).toBe(false);
    // Grouped by the slice number from the range's first slice (UInt16), the start computed per group.
    const sqlOf = (plan: typeof derived): string => clickhouseDialect.render(plan.aggregate!.statement).sql;
    expect(sqlOf(derived)).toMatch(/toUInt16\(intDiv\(toUnixTimestamp64Milli\(`ts`\) - \{p\d+:Int64\}, \{p\d+:Int64\}\)\) AS `v0`/);
    expect(sqlOf(derived)).toMatch(/GROUP BY `v0` ORDER BY `v0` DESC$/);
    // By receipt time a row's message time may lie before the range: the plain start is the key.
    const byReceipt = planQuery(parseQuery('* | timeslice 1m | count by _timeslice').query!, { ...ctx, byReceiptTime: true });
    expect(sqlOf(byReceipt)).toMatch(/positiveModulo\(.*\) AS `v0`/);
    // A key whose value an aggregate also reads keeps the plain start.
    const shared = planQuery(parseQuery('* | timeslice 1m | max(_timeslice) by _timeslice').query!, ctx);
    expect(sqlOf(shared)).toMatch(/positiveModulo\(.*\) AS `v0`/);
    // 7-minute slices straddle 15-minute buckets: the histogram is its own grouping set.
    const straddling = planQuery(parseQuery('* | timeslice 7m | count by _timeslice').query!, ctx);
    expect(straddling.aggregate?.histogramFromRecords).toBeUndefined();
    expect(straddling.aggregate?.withHistogram).toBe(true);
    // By receipt time the slices (message time) say nothing about the histogram.
    const receipt = planQuery(parseQuery('* | timeslice 1m | count by _timeslice').query!, { ...ctx, byReceiptTime: true });
    expect(receipt.aggregate?.histogramFromRecords).toBeUndefined();
  });
});
